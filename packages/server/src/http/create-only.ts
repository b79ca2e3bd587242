import { StorageError } from '@coffer/core'
import type { FastifyRequest } from 'fastify'

/**
 * A write's create-only precondition from its `If-None-Match` header (RFC 9110 §13.1.2: `*` means
 * "only if no current representation exists"), the one convention of uploads, copies and moves.
 * Any other value is refused: an entity-tag there would ask for something no write here can do.
 */
export function createOnly(request: FastifyRequest): { ifNoneMatch?: '*' } {
  // Node joins repeated If-None-Match headers with ", ": anything but a lone `*` is refused.
  const ifNoneMatch = request.headers['if-none-match']
  if (ifNoneMatch === undefined) return {}
  if (ifNoneMatch.trim() !== '*') {
    throw new StorageError('InvalidArgument', 'If-None-Match on a write only takes "*" (create only)')
  }
  return { ifNoneMatch: '*' }
}
