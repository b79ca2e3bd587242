import type { NormalizedKey, ObjectInfo } from '@coffer/core'
import { authorizeAs } from '../domain/auth/authorize.ts'
import { indexedVersion, type ObjectIntegrity } from '../domain/buckets/object-integrity.ts'
import { type ServeHeaderOptions, setObjectHeaders } from '../http/object-headers.ts'
import { serveObject } from '../http/serve-object.ts'
import { checksumHeaders, wantsChecksum } from './object-checksums.ts'
import { type ObjectPart, objectPart, requestedPart } from './object-part.ts'
import { evaluateReadConditions, hasReadConditions } from './read-conditions.ts'
import { AMZ_META, quotedEtag, type S3Call } from './s3-call.ts'
import { S3Error } from './s3-error.ts'
import { encodeS3MetadataValue } from './s3-metadata.ts'
import { requireCurrentVersion } from './version-id.ts'

/** S3's `response-*` query parameters and the headers they replace (GetObject, HeadObject). */
const OVERRIDES = {
  'response-cache-control': 'cache-control',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-content-encoding': 'content-encoding',
} as const

/** What a header value may hold here: visible ASCII and spaces, nothing that could end a header. */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/

function override(call: S3Call, name: string): string | undefined {
  const value = call.target.query.get(name)
  if (value === undefined) return undefined
  if (call.principal === undefined) {
    // As S3: overrides change what an object is served as, so only a credential may ask for them.
    throw new S3Error(
      'InvalidRequest',
      'Request specific response headers cannot be used for anonymous GET requests.',
    )
  }
  if (!HEADER_VALUE.test(value)) throw new S3Error('InvalidArgument', `${name} must be printable ASCII`)
  return value
}

/**
 * How to answer with the object: S3's metadata prefix and encoding, and the `response-*` overrides.
 * The type and disposition overrides go through the same rules as stored values
 * (`setObjectHeaders`): an active type (HTML, SVG, XML, JavaScript) is still an attachment under
 * the sandboxing CSP whatever disposition is asked for, so `response-content-type=text/html` on a
 * presigned URL cannot make this origin run an object's script.
 */
function serveOptions(call: S3Call): ServeHeaderOptions {
  const opts: ServeHeaderOptions = { metadataPrefix: AMZ_META, encodeMetadata: encodeS3MetadataValue }
  const type = override(call, 'response-content-type')
  if (type !== undefined) opts.contentType = type
  const disposition = override(call, 'response-content-disposition')
  if (disposition !== undefined) opts.contentDisposition = disposition
  const headers: Record<string, string> = {}
  for (const [name, header] of Object.entries(OVERRIDES)) {
    const value = override(call, name)
    if (value !== undefined) headers[header] = value
  }
  if (Object.keys(headers).length > 0) opts.headers = headers
  return opts
}

/** HeadObject: `serveObject`'s headers without the body; a part as the range of it. */
async function headObject(
  call: S3Call,
  info: ObjectInfo,
  opts: ServeHeaderOptions,
  part: ObjectPart | undefined,
): Promise<void> {
  setObjectHeaders(call.reply, info, opts)
  const range = part?.range
  if (range === undefined) {
    call.reply.code(200).header('content-length', part === undefined ? info.size : 0)
  } else {
    call.reply.code(206).header('content-length', range.end - range.start + 1)
    call.reply.header('content-range', `bytes ${range.start}-${range.end}/${info.size}`)
  }
  await call.reply.send()
}

/**
 * The headers a read of the version `info` adds: `x-amz-mp-parts-count` for a part, and with
 * `x-amz-checksum-mode: ENABLED` the checksum its writer declared, of the whole object or of the
 * part asked for (never of another range: a client would check the bytes against it).
 */
function versionHeaders(
  call: S3Call,
  integrity: ObjectIntegrity | undefined,
  part: ObjectPart | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {}
  if (part?.count !== undefined) headers['x-amz-mp-parts-count'] = String(part.count)
  const checksum = integrity?.checksum
  if (!wantsChecksum(call) || checksum === undefined) return headers
  if (part === undefined && call.request.headers.range === undefined)
    return { ...headers, ...checksumHeaders(checksum) }
  if (part?.checksum !== undefined) headers[`x-amz-checksum-${checksum.algorithm}`] = part.checksum
  return headers
}

/**
 * GetObject and HeadObject: the conditions S3 evaluates (`If-Match`, `If-Unmodified-Since`,
 * `If-Modified-Since`; `If-None-Match` and `Range` in `serveObject`), the `response-*` overrides,
 * `partNumber` and `x-amz-checksum-mode`. The object streams; nothing of it is buffered past
 * `serveObject`'s small bodies.
 */
export async function getObject(call: S3Call, bucket: string, key: NormalizedKey): Promise<void> {
  requireCurrentVersion(call)
  const objects = await authorizeAs(call.ctx, call.request, call.principal, bucket, [key, 'read'])
  const opts = serveOptions(call)
  const partNumber = requestedPart(call)
  // One read of the index: the tags' count, and the checksum (and parts) of the version it holds.
  const indexed = await indexedVersion(call.ctx.catalog, objects, key, { parts: partNumber !== undefined })
  // S3 tells a reader how many tags the object has (the tags themselves need GetObjectTagging).
  if (indexed !== undefined && indexed.tagCount > 0)
    opts.headers = { ...opts.headers, 'x-amz-tagging-count': String(indexed.tagCount) }
  if (hasReadConditions(call) || partNumber !== undefined || call.request.method === 'HEAD') {
    const info = await objects.stat(key)
    if (hasReadConditions(call) && evaluateReadConditions(call, info) === 'not-modified') {
      call.reply
        .header('etag', quotedEtag(info.etag))
        .header('last-modified', info.lastModified.toUTCString())
      call.reply.code(304).send()
      return
    }
    const integrity = indexed?.etag === info.etag ? indexed : undefined
    const part = partNumber === undefined ? undefined : objectPart(info, integrity, partNumber)
    opts.versionHeaders = { etag: info.etag, headers: versionHeaders(call, integrity, part) }
    if (call.request.method === 'HEAD') return headObject(call, info, opts, part)
    if (part?.range !== undefined) {
      await serveObject(call.request, call.reply, objects, key, { ...opts, range: part.range })
      return
    }
  } else if (indexed !== undefined) {
    // Sent only if the object read is the version the index described (see `versionHeaders`).
    opts.versionHeaders = { etag: indexed.etag, headers: versionHeaders(call, indexed, undefined) }
  }
  await serveObject(call.request, call.reply, objects, key, opts)
}
