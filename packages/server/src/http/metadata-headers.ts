import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyReply } from 'fastify'

/** User metadata travels as `x-coffer-meta-<name>` headers, as S3's does as `x-amz-meta-<name>`. */
export const META_PREFIX = 'x-coffer-meta-'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Node reads header values as Latin-1 (one char per byte); metadata is UTF-8 text, so the bytes are
 * decoded as UTF-8 when they are valid UTF-8, and kept as they came otherwise.
 */
function fromHeader(value: string): string {
  if (!/[\x80-\xff]/.test(value)) return value
  try {
    return utf8.decode(Buffer.from(value, 'latin1'))
  } catch {
    return value
  }
}

/** The inverse of `fromHeader`: UTF-8 bytes as a Latin-1 string Node can write. */
function toHeader(value: string): string {
  return /[^\x00-\x7f]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value
}

/** The metadata a request's headers carry. Names and values are checked by the core's rules. */
export function readMetadata(headers: IncomingHttpHeaders): Record<string, string> {
  const metadata: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(META_PREFIX) || value === undefined) continue
    metadata[name.slice(META_PREFIX.length)] = fromHeader(Array.isArray(value) ? value.join(', ') : value)
  }
  return metadata
}

/** Writes an object's metadata as response headers. */
export function writeMetadata(reply: FastifyReply, metadata: Record<string, string>): void {
  for (const [name, value] of Object.entries(metadata)) reply.header(META_PREFIX + name, toHeader(value))
}
