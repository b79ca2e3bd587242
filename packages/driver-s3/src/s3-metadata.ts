import type { ObjectAttributes, Visibility } from '@coffer/core'

/** Coffer's own entries in S3 user metadata (`x-amz-meta-coffer-*`); users may not set these names. */
export const VISIBILITY = 'coffer-visibility'
export const SHA256 = 'coffer-sha256'
/**
 * The multipart etag (`<md5 of the parts' md5s>-N`, unquoted) of an object that staged multipart
 * joined into one PutObject, whose own etag is the md5 of its whole body: the etag Coffer shows.
 */
export const MULTIPART_ETAG = 'coffer-etag'
/** The object tag that carries the sha256 of multipart uploads, whose metadata is sent before the bytes. */
export const SHA256_TAG = 'coffer-sha256'

const ENCODED = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/

/**
 * Metadata travels as HTTP headers, which carry printable ASCII and lose surrounding spaces. Other
 * values are sent as RFC 2047 encoded words (`=?UTF-8?B?…?=`), as S3 itself returns non-ASCII
 * metadata, and decoded on the way back, so every value round-trips exactly.
 */
function encodeValue(value: string): string {
  const plain = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value) && !value.startsWith('=?')
  return plain || value === '' ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`
}

function decodeValue(value: string): string {
  const match = ENCODED.exec(value)
  return match ? Buffer.from(match[1] ?? '', 'base64').toString('utf8') : value
}

export function toS3Metadata(metadata: Record<string, string>, visibility: Visibility, sha256?: string) {
  const out: Record<string, string> = { [VISIBILITY]: visibility }
  if (sha256 !== undefined) out[SHA256] = sha256
  for (const [name, value] of Object.entries(metadata)) out[name] = encodeValue(value)
  return out
}

export function fromS3Metadata(raw: Record<string, string> | undefined): {
  metadata: Record<string, string>
  visibility: Visibility
  sha256?: string
  etag?: string
} {
  const metadata: Record<string, string> = {}
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (!name.startsWith('coffer-')) metadata[name.toLowerCase()] = decodeValue(value)
  }
  const visibility = raw?.[VISIBILITY] === 'public' ? 'public' : 'private'
  const sha256 = raw?.[SHA256]
  const etag = raw?.[MULTIPART_ETAG]
  return {
    metadata,
    visibility,
    ...(sha256 === undefined ? {} : { sha256 }),
    ...(etag === undefined ? {} : { etag: `"${etag}"` }),
  }
}

/** The S3 request fields for the optional HTTP attributes of an object. */
export function headerFields(attributes: ObjectAttributes) {
  const out: { CacheControl?: string; ContentDisposition?: string; ContentEncoding?: string } = {}
  if (attributes.cacheControl !== undefined) out.CacheControl = attributes.cacheControl
  if (attributes.contentDisposition !== undefined) out.ContentDisposition = attributes.contentDisposition
  if (attributes.contentEncoding !== undefined) out.ContentEncoding = attributes.contentEncoding
  return out
}
