import type { IncomingHttpHeaders } from 'node:http'
import {
  type ChecksumAlgorithm,
  DIGEST_BYTES,
  type DigestAlgorithm,
  isChecksumAlgorithm,
} from './checksum-hasher.ts'
import { S3Error } from './s3-error.ts'

const PREFIX = 'x-amz-checksum-'
/** Headers that share the prefix but carry no checksum value. */
const NOT_VALUES = new Set(['x-amz-checksum-mode', 'x-amz-checksum-type', 'x-amz-checksum-algorithm'])

/** The S3 checksum a request declares, in a header or as a trailer still to come. */
export interface DeclaredChecksum {
  readonly algorithm: ChecksumAlgorithm
  /** Where its value is: the header's value now, or the trailer's name, read when the body ends. */
  readonly source: { readonly header: string } | { readonly trailer: string }
}

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(',') : value
}

/** True when `value` is the canonical base64 of a digest of `algorithm`'s size. */
export function isDigestValue(algorithm: DigestAlgorithm, value: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false
  const bytes = Buffer.from(value, 'base64')
  return bytes.length === DIGEST_BYTES[algorithm] && bytes.toString('base64') === value
}

/** The lowercase names of `x-amz-trailer`; only S3 checksums may trail. */
export function declaredTrailers(headers: IncomingHttpHeaders): string[] {
  const names = (single(headers, 'x-amz-trailer') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '')
  for (const name of names) {
    if (!name.startsWith(PREFIX) || !isChecksumAlgorithm(name.slice(PREFIX.length))) {
      throw new S3Error(
        'InvalidRequest',
        'x-amz-trailer may name only x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1 or -sha256',
      )
    }
  }
  return names
}

/**
 * The S3 checksum a request declares: one `x-amz-checksum-<algorithm>` header or one trailer
 * named in `x-amz-trailer` (per the S3 API reference, "Checking object integrity"). More than one,
 * a malformed header value, or an `x-amz-sdk-checksum-algorithm` with no value to go with it is
 * refused before the body is read.
 */
export function declaredChecksum(
  headers: IncomingHttpHeaders,
  trailers: readonly string[],
): DeclaredChecksum | undefined {
  const found: DeclaredChecksum[] = []
  for (const name of Object.keys(headers)) {
    if (!name.startsWith(PREFIX) || NOT_VALUES.has(name)) continue
    const algorithm = name.slice(PREFIX.length)
    if (!isChecksumAlgorithm(algorithm))
      throw new S3Error('InvalidRequest', `${name.slice(0, 64)} is not a checksum S3 knows`)
    const value = single(headers, name) ?? ''
    if (!isDigestValue(algorithm, value))
      throw new S3Error('InvalidRequest', `Value for ${name} header is invalid.`)
    found.push({ algorithm, source: { header: value } })
  }
  for (const trailer of trailers) {
    found.push({ algorithm: trailer.slice(PREFIX.length) as ChecksumAlgorithm, source: { trailer } })
  }
  if (found.length > 1)
    throw new S3Error(
      'InvalidRequest',
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    )
  const sdkAlgorithm = single(headers, 'x-amz-sdk-checksum-algorithm')?.toLowerCase()
  if (sdkAlgorithm !== undefined && sdkAlgorithm !== found[0]?.algorithm) {
    throw new S3Error(
      'InvalidRequest',
      'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
    )
  }
  return found[0]
}
