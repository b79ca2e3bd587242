import { createHash, type Hash } from 'node:crypto'
import { Readable, Transform, type TransformCallback } from 'node:stream'
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web'
import type { Digest, PutBody } from './driver.ts'
import { StorageError } from './errors.ts'
import type { UploadBody } from './types.ts'

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8')
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  throw new StorageError('InvalidArgument', 'a body stream must yield bytes or strings')
}

/** Any accepted body as a Node stream; known lengths are reported so drivers can skip multipart. */
export function toReadable(body: UploadBody): { stream: Readable; length?: number } {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = toBuffer(body)
    return { stream: Readable.from([bytes], { objectMode: false }), length: bytes.length }
  }
  if (body instanceof Readable) return { stream: body }
  if (typeof (body as ReadableStream).getReader === 'function') {
    return { stream: Readable.fromWeb(body as NodeWebReadableStream<Uint8Array>) }
  }
  throw new StorageError(
    'InvalidArgument',
    'body must be a Readable, a ReadableStream, a Uint8Array or a string',
  )
}

/** Waits until `stream` has data, has ended, or has failed. */
function readable(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      stream.off('readable', onReadable).off('end', onEnd).off('error', done).off('close', onEnd)
      if (error) reject(error)
      else resolve()
    }
    const onReadable = () => done()
    const onEnd = () => done()
    stream.once('readable', onReadable).once('end', onEnd).once('error', done).once('close', onEnd)
  })
}

/**
 * Reads the first `bytes` of a stream (to recognise its type) without losing them: returns those bytes
 * and a stream that yields everything, head included. Only the head is held in memory.
 */
export async function peek(source: Readable, bytes: number): Promise<{ head: Buffer; body: Readable }> {
  const chunks: Buffer[] = []
  let total = 0
  while (total < bytes && !source.readableEnded) {
    const chunk: unknown = source.read()
    if (chunk !== null) {
      const buffer = toBuffer(chunk)
      chunks.push(buffer)
      total += buffer.length
      continue
    }
    if (source.errored) throw source.errored
    if (source.destroyed) throw new StorageError('Aborted', 'the body stream was closed before it ended')
    await readable(source)
  }
  const head = Buffer.concat(chunks, total)
  if (source.readableEnded)
    return { head: head.subarray(0, bytes), body: Readable.from([head], { objectMode: false }) }
  // Put the head back in front of the rest: the caller reads one intact stream, chunk by chunk.
  if (head.length > 0) source.unshift(head)
  return { head: head.subarray(0, bytes), body: source }
}

export interface IngestOptions {
  /** Fail with `TooLarge` at the first byte past this. */
  maxSize?: number
  /** The length the uploader declared; a body of another length fails. */
  contentLength?: number
  /** Compute the md5 too (the etag of fs and memory objects); default true. */
  md5?: boolean
}

/**
 * The stream every upload flows through on its way to a driver: it counts bytes and stops at the
 * first one over the limit, and computes sha256 and md5 as the bytes pass, so nothing is read twice.
 */
export class IngestStream extends Transform implements PutBody {
  readonly #sha256: Hash = createHash('sha256')
  readonly #md5: Hash | undefined
  readonly #limit: number
  readonly #expected: number | undefined
  #size = 0
  #digest: Digest | undefined

  constructor(options: IngestOptions = {}) {
    super({ readableHighWaterMark: 64 * 1024 })
    this.#limit = Math.min(
      options.maxSize ?? Number.POSITIVE_INFINITY,
      options.contentLength ?? Number.POSITIVE_INFINITY,
    )
    this.#expected = options.contentLength
    this.#md5 = options.md5 === false ? undefined : createHash('md5')
  }

  override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    const buffer = toBuffer(chunk)
    this.#size += buffer.length
    if (this.#size > this.#limit) {
      callback(this.#overLimit())
      return
    }
    this.#sha256.update(buffer)
    this.#md5?.update(buffer)
    callback(null, buffer)
  }

  override _flush(callback: TransformCallback): void {
    if (this.#expected !== undefined && this.#size !== this.#expected) {
      callback(
        new StorageError('InvalidArgument', `body has ${this.#size} bytes, ${this.#expected} were declared`),
      )
      return
    }
    const digest: Digest = { size: this.#size, sha256: this.#sha256.digest('hex') }
    if (this.#md5) digest.md5 = this.#md5.digest('hex')
    this.#digest = digest
    callback()
  }

  #overLimit(): StorageError {
    if (this.#expected !== undefined && this.#size > this.#expected) {
      return new StorageError('InvalidArgument', `body is longer than the ${this.#expected} bytes declared`)
    }
    return new StorageError('TooLarge', `the upload exceeds the limit of ${this.#limit} bytes`)
  }

  digest(): Digest {
    if (!this.#digest) throw new StorageError('Internal', 'the digest was read before the body ended')
    return this.#digest
  }
}
