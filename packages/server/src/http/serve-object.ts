import type { Readable } from 'node:stream'
import {
  contentRange,
  isStorageError,
  type NormalizedKey,
  parseRange,
  type RangeSpec,
  StorageError,
} from '@coffer/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { BucketObjects } from '../domain/buckets/bucket-objects.ts'
import {
  type ServeHeaderOptions,
  setCacheControl,
  setObjectHeaders,
  setStoredHeader,
} from './object-headers.ts'

/**
 * The request's single byte range, or undefined. Per RFC 9110 §14.2 a server may ignore a Range
 * header it does not support (several ranges, other units): the whole object is sent instead.
 */
export function rangeOf(request: FastifyRequest): RangeSpec | undefined {
  const header = request.headers.range
  if (header === undefined) return undefined
  try {
    return parseRange(header)
  } catch {
    return undefined
  }
}

/** An AbortSignal that fires when the client goes away before the response is complete. */
export function clientGone(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const controller = new AbortController()
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort()
  })
  request.raw.once('error', () => controller.abort())
  return controller.signal
}

/**
 * Streams an object: 200 with the whole body, 206 with one range (416 with `Content-Range: bytes
 * *\/size` when it is unsatisfiable), or 304 when `If-None-Match` matches. Nothing is buffered.
 * The range is the request's `Range`, or `opts.range` when given.
 */
export async function serveObject(
  request: FastifyRequest,
  reply: FastifyReply,
  objects: BucketObjects,
  key: NormalizedKey,
  opts: ServeHeaderOptions & { range?: RangeSpec } = {},
): Promise<FastifyReply> {
  // A range the caller chose (S3's `partNumber`) instead of the request's own.
  const range = opts.range ?? rangeOf(request)
  const ifNoneMatch = request.headers['if-none-match']
  const signal = clientGone(request, reply)
  let result: Awaited<ReturnType<BucketObjects['get']>>
  try {
    result = await objects.get(key, {
      signal,
      // Fastify pipes a stream body into the response alone; a write's callback means the socket has it.
      recycleBuffers: true,
      ...(range === undefined ? {} : { range }),
      ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }),
    })
  } catch (error) {
    if (isStorageError(error, 'InvalidRange') && error.objectSize !== undefined) {
      reply.header('content-range', `bytes */${error.objectSize}`)
    }
    throw error
  }
  if (result.notModified) {
    setStoredHeader(reply, 'etag', result.info.etag)
    reply.header('last-modified', result.info.lastModified.toUTCString())
    setCacheControl(reply, result.info.cacheControl, opts)
    return reply.code(304).send()
  }
  setObjectHeaders(reply, result.info, opts)
  const length = result.range === undefined ? result.info.size : result.range.end - result.range.start + 1
  if (result.range !== undefined) {
    reply.code(206)
    reply.header('content-range', contentRange(result.range))
  }
  reply.header('content-length', length)
  if (result.bytes !== undefined) return reply.send(result.bytes)
  return reply.send(length <= SMALL_BODY ? await collect(result.body, length) : result.body)
}

/**
 * Bodies up to this size are read before the response starts and sent as one buffer: piping a
 * stream costs more per response than the bytes do at this size (listeners, ticks, chunks).
 */
const SMALL_BODY = 64 * 1024

/** The whole of a small body, which must be `length` bytes (a failing stream fails this). */
async function collect(body: Readable, length: number): Promise<Buffer> {
  // A body that arrived whole (one packet) is all buffered in the stream already.
  if (length > 0 && body.readableLength === length) {
    const whole = body.read(length) as Buffer | null
    if (whole !== null) {
      // Whatever the stream is (a socket's may still hold its connection), it has given its all.
      body.destroy()
      return whole
    }
  }
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of body) {
    chunks.push(chunk as Buffer)
    total += (chunk as Buffer).length
    if (total > length) break
  }
  if (total !== length) {
    body.destroy()
    throw new StorageError('Internal', `the storage gave ${total} bytes for an object of ${length}`)
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total)
}

/** The headers of `serveObject`'s 200 response, without the body. */
export async function serveHead(
  reply: FastifyReply,
  objects: BucketObjects,
  key: NormalizedKey,
  opts: ServeHeaderOptions = {},
): Promise<FastifyReply> {
  const info = await objects.stat(key)
  setObjectHeaders(reply, info, opts)
  reply.header('content-length', info.size)
  return reply.code(200).send()
}
