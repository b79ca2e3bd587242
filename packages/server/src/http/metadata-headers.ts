import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyReply } from 'fastify'

/** User metadata travels as `x-coffer-meta-<name>` headers, as S3's does as `x-amz-meta-<name>`. */
export const META_PREFIX = 'x-coffer-meta-'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Node reads header values as Latin-1 (one char per byte); metadata (and a file name in a
 * `Content-Disposition`) is UTF-8 text, so the bytes are decoded as UTF-8 when they are valid
 * UTF-8, and kept as they came (Latin-1) otherwise.
 */
export function headerText(value: string): string {
  if (!/[\x80-\xff]/.test(value)) return value
  try {
    return utf8.decode(Buffer.from(value, 'latin1'))
  } catch {
    return value
  }
}

/** The inverse of `headerText`: UTF-8 bytes as a Latin-1 string Node can write. */
function toHeader(value: string): string {
  return /[^\x00-\x7f]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value
}

/** The metadata a request's headers carry. Names and values are checked by the core's rules. */
export function readMetadata(headers: IncomingHttpHeaders, prefix = META_PREFIX): Record<string, string> {
  const metadata: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(prefix) || value === undefined) continue
    metadata[name.slice(prefix.length)] = headerText(Array.isArray(value) ? value.join(', ') : value)
  }
  return metadata
}

/** What Node accepts in a header name and value (it throws on anything else). */
const NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

/**
 * Writes an object's metadata as response headers, values as UTF-8 bytes (RFC 9110 §5.5 allows
 * octets above 0x7f; the web client and `headerText` decode them) unless `encode` says otherwise. Uploads refuse the names and
 * control characters that could not be written; an entry that still cannot (stored before those
 * checks, or written to S3 behind Coffer's back) is left out rather than failing the response.
 */
export function writeMetadata(
  reply: FastifyReply,
  metadata: Record<string, string>,
  prefix = META_PREFIX,
  encode: (value: string) => string = toHeader,
): void {
  for (const [name, value] of Object.entries(metadata)) {
    const encoded = encode(value)
    if (NAME.test(name) && VALUE.test(encoded)) reply.header(prefix + name, encoded)
  }
}
