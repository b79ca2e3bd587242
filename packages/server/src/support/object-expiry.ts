import { type ObjectInfo, StorageError } from '@coffer/core'
import { EXPIRES_AT_METADATA } from '@coffer/exports'

/** The metadata field that carries an object's expiry (ISO 8601, UTC), shared with `@coffer/exports`. */
export { EXPIRES_AT_METADATA }

/** The longest expiry an upload may ask for: ten years, in seconds. */
export const MAX_EXPIRES_IN = 10 * 365 * 24 * 3600

/**
 * When an object expires, from its metadata; undefined when it does not. The expiry travels with the
 * object (the store stays the source of truth, so reconcile rebuilds the index's copy of it).
 */
export function expiryOf(metadata: Readonly<Record<string, string>>): Date | undefined {
  const value = metadata[EXPIRES_AT_METADATA]
  if (value === undefined) return undefined
  const at = new Date(value)
  return Number.isNaN(at.getTime()) ? undefined : at
}

/** Whether the object has expired at `now`: from then on it is served and listed nowhere. */
export function hasExpired(info: Pick<ObjectInfo, 'metadata'>, now = Date.now()): boolean {
  const at = expiryOf(info.metadata)
  return at !== undefined && at.getTime() <= now
}

/**
 * The expiry an upload asks for: `x-coffer-expires` (or a form's `expiresIn`) as seconds from now,
 * 1 to ten years. Throws `InvalidArgument` otherwise.
 */
export function expiryFrom(value: string | number, now = Date.now()): Date {
  const seconds =
    typeof value === 'number' ? value : /^\d{1,10}$/.test(value.trim()) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_EXPIRES_IN) {
    throw new StorageError('InvalidArgument', `an expiry is a number of seconds from 1 to ${MAX_EXPIRES_IN}`)
  }
  return new Date(now + seconds * 1000)
}

/** The NotFound an expired object answers with, as if it were already gone. */
export function expiredError(key: string): StorageError {
  return new StorageError('NotFound', `no object at "${key}"`, { key })
}
