import type { Scope } from '../api/types.ts'

/** A scope for people: `documents/p1/: read, list`, `every bucket: admin`. */
export function scopeText(scope: Scope): string {
  const where = scope.bucket === '*' ? 'every bucket' : scope.bucket
  return `${where}${scope.prefix ? `/${scope.prefix}` : ''}: ${scope.permissions.join(', ')}`
}
