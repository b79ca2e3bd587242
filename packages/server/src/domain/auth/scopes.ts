// The permission names are part of the API's contract, declared with its schemas.
import { PERMISSIONS } from '@coffer/client/schemas'
import { normalizePrefix, StorageError } from '@coffer/core'

/** What a scope may do. `admin` includes every other permission within its scope. */
export { PERMISSIONS }
/** One of `PERMISSIONS`. */
export type Permission = (typeof PERMISSIONS)[number]

/**
 * A grant: permissions on the keys of a bucket (`*`: every bucket) under `prefix`. A prefix is a
 * folder: `users/jose` (stored as `users/jose/`) grants `users/jose/x` but not `users/josephine/x`.
 * A prefix written with a trailing `*` (`users/jo*`) is a plain string prefix and grants both.
 */
export interface Scope {
  bucket: string
  /** Folder prefix ending in `/`, a string prefix ending in `*`, or empty for the whole bucket. */
  prefix: string
  permissions: Permission[]
}

/** Who makes a request, and what they may do. */
export interface Principal {
  kind: 'key' | 'jwt'
  /** The API key's id, or the JWT's issuer and subject (see `jwtOwner`). */
  id: string
  scopes: Scope[]
  /** When the credential stops being valid (ms since the epoch), if it does on its own. */
  expiresAt?: number
}

const BUCKET_OR_ANY = /^(\*|[a-z0-9][a-z0-9-]{1,61}[a-z0-9])$/

function invalid(message: string): never {
  throw new StorageError('InvalidArgument', message)
}

/** A scope prefix in its stored form: a folder ends in `/`, a string prefix in `*`. */
function scopePrefix(value: string): string {
  const prefix = normalizePrefix(value)
  return prefix === '' || prefix.endsWith('/') || prefix.endsWith('*') ? prefix : `${prefix}/`
}

/** Whether a scope prefix covers `path`: at a folder boundary, or as a string with a trailing `*`. */
function covers(prefix: string, path: string): boolean {
  return path.startsWith(prefix.endsWith('*') ? prefix.slice(0, -1) : prefix)
}

/** Checks scopes given by a client or found in a token; returns them normalised (prefix in NFC). */
export function parseScopes(value: unknown): Scope[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 100) {
    invalid('scopes must be a list of 1 to 100 scopes')
  }
  return value.map((item: unknown) => {
    const scope = item as Partial<Record<keyof Scope, unknown>> | null
    if (typeof scope !== 'object' || scope === null) invalid('each scope must be an object')
    if (typeof scope.bucket !== 'string' || !BUCKET_OR_ANY.test(scope.bucket)) {
      invalid('a scope names a bucket, or "*" for every bucket')
    }
    if (scope.prefix !== undefined && typeof scope.prefix !== 'string') invalid('a scope prefix is a string')
    const permissions = scope.permissions
    if (!Array.isArray(permissions) || permissions.length === 0) invalid('a scope needs permissions')
    for (const permission of permissions) {
      if (!(PERMISSIONS as readonly unknown[]).includes(permission)) {
        invalid(`permissions are ${PERMISSIONS.join(', ')}`)
      }
    }
    return {
      bucket: scope.bucket,
      prefix: scopePrefix(scope.prefix ?? ''),
      permissions: [...new Set(permissions as Permission[])],
    }
  })
}

/** Whether `scopes` grant `permission` on `path` (a key or listing prefix; '' for the bucket itself). */
export function allows(
  scopes: readonly Scope[],
  bucket: string,
  path: string,
  permission: Permission,
): boolean {
  return scopes.some(
    (scope) =>
      (scope.bucket === '*' || scope.bucket === bucket) &&
      covers(scope.prefix, path) &&
      (scope.permissions.includes(permission) || scope.permissions.includes('admin')),
  )
}

/** The `AccessDenied` error for a missing permission. */
export function denied(bucket: string, path: string, permission: Permission): StorageError {
  const where = path === '' ? `bucket "${bucket}"` : `"${path}" in bucket "${bucket}"`
  return new StorageError('AccessDenied', `this credential has no ${permission} permission on ${where}`)
}

/** Throws `AccessDenied` unless `scopes` grant `permission` on `path` of `bucket`. */
export function requirePermission(
  principal: Principal,
  bucket: string,
  path: string,
  permission: Permission,
): void {
  if (!allows(principal.scopes, bucket, path, permission)) throw denied(bucket, path, permission)
}

/** Administration of the service itself (API keys, new buckets) needs admin on every bucket. */
export function requireServiceAdmin(principal: Principal): void {
  // Only a scope on bucket "*" with an empty prefix matches the bucket name "*" and the path ''.
  if (!allows(principal.scopes, '*', '', 'admin')) {
    throw new StorageError('AccessDenied', 'this needs an admin credential for every bucket')
  }
}

/**
 * Whether the principal has a scope on the whole of `bucket` (an empty prefix): only then may it see
 * what counts the whole bucket (bytes and objects stored, traffic by owner), which would tell a
 * prefix-scoped key about the keys of others.
 */
export function seesWholeBucket(principal: Principal, bucket: string): boolean {
  return principal.scopes.some(
    (scope) => (scope.bucket === '*' || scope.bucket === bucket) && covers(scope.prefix, ''),
  )
}

/** Whether the principal can see `bucket` at all (any scope on it). */
export function seesBucket(principal: Principal, bucket: string): boolean {
  return principal.scopes.some((scope) => scope.bucket === '*' || scope.bucket === bucket)
}
