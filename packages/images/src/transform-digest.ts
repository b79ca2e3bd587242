import { createHash } from 'node:crypto'
import { canonicalTransform, type Transform } from './transform.ts'

/**
 * A short fixed-length digest of the canonical transform and whatever else shapes the output (the
 * resolved format, the source's etag), for cache keys and file names.
 */
export function transformDigest(transform: Transform, ...context: string[]): string {
  const hash = createHash('sha256').update(canonicalTransform(transform))
  for (const part of context) hash.update('\0').update(part)
  return hash.digest('base64url').slice(0, 32)
}
