import type { NormalizedKey, ObjectInfo } from '@coffer/core'
import { authorizeAs } from '../domain/auth/authorize.ts'
import { objectTagCount } from '../domain/buckets/object-tags.ts'
import { type ServeHeaderOptions, setObjectHeaders } from '../http/object-headers.ts'
import { serveObject } from '../http/serve-object.ts'
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

/**
 * `partNumber`: for an object not uploaded in parts, part 1 is the whole object, answered as a
 * range of all of it (206 with `Content-Range`, as S3 does); any other part is `InvalidPart`, as
 * Ceph's S3 test suite expects. Returns whether the answer is that range.
 */
function wholeAsPart(call: S3Call, info: ObjectInfo): boolean {
  const text = call.target.query.get('partNumber')
  if (text === undefined) return false
  const part = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN
  if (!(part >= 1 && part <= 10_000))
    throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive')
  if (call.request.headers.range !== undefined)
    throw new S3Error('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter')
  if (/-\d+"?$/.test(info.etag))
    throw new S3Error('NotImplemented', 'partNumber of an object uploaded in parts is not served yet')
  if (part !== 1) throw new S3Error('InvalidPart', 'The requested partnumber is not satisfiable')
  return info.size > 0
}

/** HeadObject: `serveObject`'s headers without the body; part 1 as the range of all of it. */
async function headObject(call: S3Call, info: ObjectInfo, opts: ServeHeaderOptions): Promise<void> {
  setObjectHeaders(call.reply, info, opts)
  call.reply.header('content-length', info.size)
  if (wholeAsPart(call, info)) {
    call.reply.code(206).header('content-range', `bytes 0-${info.size - 1}/${info.size}`)
  } else call.reply.code(200)
  await call.reply.send()
}

/**
 * GetObject and HeadObject: the conditions S3 evaluates (`If-Match`, `If-Unmodified-Since`,
 * `If-Modified-Since`; `If-None-Match` and `Range` in `serveObject`), the `response-*` overrides,
 * and `partNumber`. The object streams; nothing of it is buffered past `serveObject`'s small bodies.
 */
export async function getObject(call: S3Call, bucket: string, key: NormalizedKey): Promise<void> {
  requireCurrentVersion(call)
  const objects = await authorizeAs(call.ctx, call.request, call.principal, bucket, [key, 'read'])
  const opts = serveOptions(call)
  // S3 tells a reader how many tags the object has (the tags themselves need GetObjectTagging).
  const tags = await objectTagCount(call.ctx.catalog, objects, key)
  if (tags > 0) opts.headers = { ...opts.headers, 'x-amz-tagging-count': String(tags) }
  const parted = call.target.query.has('partNumber')
  if (hasReadConditions(call) || parted || call.request.method === 'HEAD') {
    const info = await objects.stat(key)
    if (hasReadConditions(call) && evaluateReadConditions(call, info) === 'not-modified') {
      call.reply
        .header('etag', quotedEtag(info.etag))
        .header('last-modified', info.lastModified.toUTCString())
      call.reply.code(304).send()
      return
    }
    if (call.request.method === 'HEAD') return headObject(call, info, opts)
    if (wholeAsPart(call, info)) {
      await serveObject(call.request, call.reply, objects, key, { ...opts, range: { start: 0 } })
      return
    }
  }
  await serveObject(call.request, call.reply, objects, key, opts)
}
