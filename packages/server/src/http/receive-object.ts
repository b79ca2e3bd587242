import type { IncomingMessage } from 'node:http'
import { PassThrough, type Readable } from 'node:stream'
import { type ObjectInfo, StorageError, type UploadOptions } from '@coffer/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { BucketObjects } from '../buckets/bucket-objects.ts'
import { type BodyLimits, watchIdleBody } from './body-limits.ts'
import { readMetadata } from './metadata-headers.ts'
import { clientGone } from './serve-object.ts'

/** A header's single value (Node joins repeated unknown headers with ", "). */
function single(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/** The upload options a raw-body request states in its headers (S3's PutObject headers). */
function uploadOptions(request: FastifyRequest): Omit<UploadOptions, 'key'> {
  const opts: Omit<UploadOptions, 'key'> = { metadata: readMetadata(request.headers) }
  const contentType = single(request, 'content-type')
  if (contentType !== undefined) opts.contentType = contentType
  const length = single(request, 'content-length')
  if (length !== undefined && request.headers['transfer-encoding'] === undefined)
    opts.contentLength = Number(length)
  const ifNoneMatch = single(request, 'if-none-match')
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') {
      throw new StorageError('InvalidArgument', 'If-None-Match on an upload only takes "*" (create only)')
    }
    opts.ifNoneMatch = '*'
  }
  const cacheControl = single(request, 'cache-control')
  if (cacheControl !== undefined) opts.cacheControl = cacheControl
  const disposition = single(request, 'content-disposition')
  if (disposition !== undefined) opts.contentDisposition = disposition
  return opts
}

/**
 * The request's body as a stream of its own. The core destroys a body whose upload fails; destroying
 * the request itself would reset the connection before the 413 or 415 could be sent. A request that
 * fails, is cut short or stalls (no byte for `limits.idleTimeout`) fails this stream, so the upload
 * stops and leaves nothing, and its temp file and quota reservation go.
 */
function bodyOf(raw: IncomingMessage, limits: BodyLimits): Readable {
  const body = new PassThrough({ highWaterMark: 64 * 1024 })
  raw.pipe(body)
  raw.once('error', (error) => body.destroy(error))
  raw.once('close', () => {
    if (!raw.complete)
      body.destroy(new StorageError('Aborted', 'the client closed the connection mid-upload'))
  })
  if (!raw.complete) {
    watchIdleBody(raw, limits.idleTimeout, () => {
      raw.unpipe(body)
      body.destroy(limits.timedOut())
    })
  }
  return body
}

/**
 * Whose upload slots an upload takes: its credential's. A signed URL names one key, so its uploads
 * count per key (all signed URLs share one actor).
 */
export function slotOwner(objects: BucketObjects, key: string): string {
  const { id } = objects.actor
  return id === 'signed-url' ? `${id}:${objects.bucket.name}/${key}` : id
}

/**
 * Streams a request's raw body into a bucket under its policy (size limit and types enforced while
 * the bytes flow: 413 or 415, and nothing stored). A client that disconnects mid-upload aborts it,
 * and the driver removes what it had written; one whose body stalls gets 408, one with too many
 * uploads running 429 (see `BodyLimits`).
 */
export async function receiveObject(
  limits: BodyLimits,
  request: FastifyRequest,
  reply: FastifyReply,
  objects: BucketObjects,
  key: string,
  pinnedType?: string,
): Promise<ObjectInfo> {
  const opts = uploadOptions(request)
  if (pinnedType !== undefined && opts.contentType !== pinnedType) {
    throw new StorageError('AccessDenied', `this signed URL requires Content-Type: ${pinnedType}`)
  }
  const release = limits.acquire(slotOwner(objects, key))
  try {
    opts.signal = clientGone(request, reply)
    // The content-type parser left the body unread, for this stream to read.
    return await objects.upload(key, bodyOf(request.raw, limits), opts)
  } finally {
    release()
  }
}
