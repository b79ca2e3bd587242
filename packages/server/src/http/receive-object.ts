import type { IncomingMessage } from 'node:http'
import { PassThrough, type Readable } from 'node:stream'
import {
  type NormalizedKey,
  normalizeDisposition,
  normalizeMediaType,
  type ObjectInfo,
  parseMediaType,
  StorageError,
  serializeMediaType,
  type UploadOptions,
} from '@coffer/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { BucketObjects } from '../domain/buckets/bucket-objects.ts'
import { EXPIRES_AT_METADATA, expiryFrom } from '../support/object-expiry.ts'
import { type BodyLimits, watchIdleBody } from './body-limits.ts'
import { createOnly } from './create-only.ts'
import { headerText, readMetadata } from './metadata-headers.ts'
import { clientGone } from './serve-object.ts'

/**
 * Fastify answers 415 to a `Content-Type` it cannot parse, before any route runs: such a type is
 * malformed, and gets the 400 `InvalidArgument` of every type `parseMediaType` refuses.
 */
export function malformedContentType(error: unknown, request: FastifyRequest): StorageError | undefined {
  if ((error as { code?: unknown } | undefined)?.code !== 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return undefined
  const type = single(request, 'content-type')
  if (type === undefined || parseMediaType(type) !== undefined) return undefined
  try {
    normalizeMediaType(type)
  } catch (refusal) {
    return refusal as StorageError
  }
  return undefined
}

/** A header's single value (Node joins repeated unknown headers with ", "). */
export function single(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/** The upload options a raw-body request states in its headers (S3's PutObject headers). */
function uploadOptions(request: FastifyRequest): Omit<UploadOptions, 'key'> {
  const opts: Omit<UploadOptions, 'key'> = { metadata: readMetadata(request.headers) }
  const contentType = single(request, 'content-type')
  // Refused here, before a byte of the body is read, when it does not parse strictly (400).
  if (contentType !== undefined && contentType !== '') opts.contentType = normalizeMediaType(contentType)
  const length = single(request, 'content-length')
  if (length !== undefined && request.headers['transfer-encoding'] === undefined)
    opts.contentLength = Number(length)
  if (createOnly(request).ifNoneMatch === '*') opts.ifNoneMatch = '*'
  const cacheControl = single(request, 'cache-control')
  if (cacheControl !== undefined) opts.cacheControl = cacheControl
  const disposition = single(request, 'content-disposition')
  if (disposition !== undefined) opts.contentDisposition = normalizeDisposition(headerText(disposition))
  const expires = single(request, 'x-coffer-expires')
  if (expires !== undefined) {
    // Seconds from now; kept as the object's `expires-at` metadata, which the catalog and serving read.
    opts.metadata = { ...opts.metadata, [EXPIRES_AT_METADATA]: expiryFrom(expires).toISOString() }
  }
  return opts
}

/**
 * The request's body as a stream of its own. The core destroys a body whose upload fails; destroying
 * the request itself would reset the connection before the 413 or 415 could be sent. A request that
 * fails, is cut short or stalls (fewer than `limits.minBytes` in `limits.idleTimeout`) fails this stream, so the upload
 * stops and leaves nothing, and its temp file and quota reservation go.
 */
export function bodyOf(raw: IncomingMessage, limits: BodyLimits): Readable {
  const body = new PassThrough({ highWaterMark: 64 * 1024 })
  raw.pipe(body)
  raw.once('error', (error) => body.destroy(error))
  raw.once('close', () => {
    if (!raw.complete)
      body.destroy(new StorageError('Aborted', 'the client closed the connection mid-upload'))
  })
  if (!raw.complete) {
    watchIdleBody(
      raw,
      limits.idleTimeout,
      () => {
        raw.unpipe(body)
        body.destroy(limits.timedOut())
      },
      limits.minBytes,
    )
  }
  return body
}

/**
 * Whose upload slots an upload takes: its credential's. Through a signed URL, that URL's key's: the
 * actor is then the issuer, and whoever holds one URL must not take the slots its issuer and every
 * other URL it signed upload with.
 */
export function slotOwner(objects: BucketObjects, key: string): string {
  const { id, via } = objects.actor
  return via === 'signed-url' ? `${via}:${objects.bucket.name}/${key}` : id
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
  key: NormalizedKey,
  pinnedType?: string,
): Promise<ObjectInfo> {
  const opts = uploadOptions(request)
  if (pinnedType !== undefined) {
    // URLs signed before pinned types were checked may pin one that does not parse: it can never match.
    const pinned = parseMediaType(pinnedType)
    const wanted = pinned === undefined ? 'a valid type' : serializeMediaType(pinned)
    if (pinned === undefined || opts.contentType !== wanted) {
      throw new StorageError('AccessDenied', `this signed URL requires Content-Type: ${wanted}`)
    }
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
