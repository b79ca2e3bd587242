import { normalizeKey, type UploadBody, type UploadOptions } from '@coffer/core'
import type { ExportTarget } from '@coffer/exports'
import type { Principal } from '../auth/scopes.ts'
import type { BucketObjects } from '../buckets/bucket-objects.ts'

/** The bucket exports go to (a preset: private, its objects expiring). */
export const EXPORTS_BUCKET = 'exports'

/**
 * The caller's folder in the exports bucket: the prefix of its first scope that may write there (a
 * scope on `exports` before one on every bucket), so that an app builder's per-project key or JWT
 * (`exports`, `projects/42/`) writes its exports into its own project's folder. Empty for a scope on
 * the whole bucket. A string prefix (`users/jo*`) gives its folder part. Undefined when no scope may
 * write there (the route then answers 403 through the usual check).
 */
export function exportFolder(principal: Principal): string | undefined {
  const writable = principal.scopes.filter(
    (s) => s.permissions.includes('write') || s.permissions.includes('admin'),
  )
  const scope = writable.find((s) => s.bucket === EXPORTS_BUCKET) ?? writable.find((s) => s.bucket === '*')
  if (scope === undefined) return undefined
  return scope.prefix.endsWith('*') ? scope.prefix.slice(0, scope.prefix.lastIndexOf('/') + 1) : scope.prefix
}

/** The exports bucket as `createExport`'s target: its policy, quota, index and audit apply. */
export function bucketTarget(objects: BucketObjects): ExportTarget {
  return {
    upload: (body: UploadBody, { key, ...opts }: UploadOptions & { key: string }) =>
      objects.upload(normalizeKey(key), body, opts),
  }
}
