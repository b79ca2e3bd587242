import type { Driver } from '../driver.ts'
import { isStorageError, StorageError } from '../errors.ts'
import type { NormalizedKey } from '../keys.ts'

/** Refuses an `ifNoneMatch` other than `'*'`: a write can only be asked to create, not to match. */
export function checkCreateOnly(ifNoneMatch: unknown): void {
  if (ifNoneMatch !== undefined && ifNoneMatch !== '*') {
    throw new StorageError('InvalidArgument', 'ifNoneMatch only takes "*" (create only)')
  }
}

/** The refusal of a create-only write whose key is taken. */
export function keyTaken(key: NormalizedKey): StorageError {
  return new StorageError('PreconditionFailed', (name) => `an object already exists at "${name}"`, { key })
}

/**
 * Create-only on a driver without atomic conditional writes (`capabilities.conditionalWrite`): look
 * first. Best effort: a key taken between this look and the write is still replaced there.
 */
export async function refuseTaken(
  driver: Driver,
  key: NormalizedKey,
  opts: { ifNoneMatch?: '*' | undefined; signal?: AbortSignal | undefined },
): Promise<void> {
  checkCreateOnly(opts.ifNoneMatch)
  if (opts.ifNoneMatch !== '*' || driver.capabilities.conditionalWrite) return
  const taken = await driver.head(key, opts.signal ? { signal: opts.signal } : {}).then(
    () => true,
    (error: unknown) => {
      if (isStorageError(error, 'NotFound')) return false
      throw error
    },
  )
  if (taken) throw keyTaken(key)
}
