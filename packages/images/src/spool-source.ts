import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { isAbortError, isStorageError, StorageError, toReadable, toStorageError } from '@coffer/core'

/** An image's bytes as a Node stream, a web stream, or bytes already in memory. */
export type ImageSource = NodeJS.ReadableStream | ReadableStream<Uint8Array> | Uint8Array

/** A source where sharp can read it: a temporary file, or the caller's own bytes. */
export interface SpooledSource {
  /** A file path or a buffer, as sharp's constructor takes them. */
  readonly input: string | Buffer
  /** Removes the temporary file; safe to call more than once. */
  dispose(): Promise<void>
}

/**
 * Writes a streamed source to a private temporary file, failing with `TooLarge` past `maxBytes`.
 * Why a file: sharp collects a stream input into one buffer before decoding, so a file keeps memory
 * flat however large the source, and lets libvips read only the header first (the pixel-limit check).
 */
export async function spoolSource(
  source: ImageSource,
  options: { tempDir: string; maxBytes: number; signal?: AbortSignal | undefined },
): Promise<SpooledSource> {
  if (source instanceof Uint8Array) {
    if (source.byteLength > options.maxBytes) throw tooLarge(options.maxBytes)
    return {
      input: Buffer.from(source.buffer, source.byteOffset, source.byteLength),
      dispose: async () => {},
    }
  }
  const path = join(options.tempDir, `coffer-image-${randomBytes(12).toString('hex')}`)
  const dispose = () => rm(path, { force: true })
  try {
    const { stream } = toReadable(source as Parameters<typeof toReadable>[0])
    await pipeline(
      stream,
      new ByteLimit(options.maxBytes),
      createWriteStream(path, { flags: 'wx', mode: 0o600 }),
      options.signal === undefined ? {} : { signal: options.signal },
    )
  } catch (error) {
    await dispose()
    // The temporary path is the host's business: errors about the file never name it.
    const safe =
      isStorageError(error) || isAbortError(error)
        ? error
        : new Error(`spooling failed: ${(error as NodeJS.ErrnoException)?.code ?? 'unknown error'}`)
    throw toStorageError(safe, 'reading the image')
  }
  return { input: path, dispose }
}

/** Passes bytes through until more than `max` have come, then fails the stream with `TooLarge`. */
class ByteLimit extends Transform {
  #seen = 0
  readonly #max: number
  constructor(max: number) {
    super()
    this.#max = max
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length
    if (this.#seen > this.#max) done(tooLarge(this.#max))
    else done(null, chunk)
  }
}

function tooLarge(max: number): StorageError {
  return new StorageError('TooLarge', `images larger than ${max} bytes are not rendered`)
}
