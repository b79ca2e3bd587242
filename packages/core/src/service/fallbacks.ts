import type { Driver, DriverPutOptions } from '../driver.ts'
import { isStorageError } from '../errors.ts'
import type { NormalizedKey } from '../keys.ts'
import type { DeleteResult, ObjectInfo } from '../types.ts'
import { upload } from './upload.ts'

/** How many deletes a fallback batch runs at once. */
const DELETE_CONCURRENCY = 8

/** `deleteMany` for drivers without batches: a bounded number of single deletes at a time. */
export async function deleteEach(
  driver: Driver,
  keys: NormalizedKey[],
  signal?: AbortSignal,
): Promise<DeleteResult> {
  const result: DeleteResult = { deleted: [], errors: [] }
  let next = 0
  async function worker(): Promise<void> {
    while (next < keys.length) {
      signal?.throwIfAborted()
      const key = keys[next++] as NormalizedKey
      try {
        await driver.delete(key, signal ? { signal } : {})
        result.deleted.push(key)
      } catch (error) {
        const code = isStorageError(error) ? error.code : 'Internal'
        result.errors.push({ key, code, message: error instanceof Error ? error.message : String(error) })
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, keys.length) }, worker))
  return result
}

/** `copy` for drivers without server-side copy: stream the object through the upload path. */
export async function copyThrough(
  driver: Driver,
  from: NormalizedKey,
  to: NormalizedKey,
  opts: { attributes: DriverPutOptions | undefined; ifNoneMatch?: '*'; signal?: AbortSignal },
): Promise<ObjectInfo> {
  const { signal } = opts
  const source = await driver.get(from, signal ? { signal } : {})
  if (source.notModified) throw new Error('unreachable: no condition was given')
  const { info } = source
  const attributes = opts.attributes ?? { ...info, contentType: info.contentType }
  return upload(driver, to, source.body, {
    ...attributes,
    contentLength: info.size,
    ...(opts.ifNoneMatch === '*' ? { ifNoneMatch: opts.ifNoneMatch } : {}),
    ...(signal ? { signal } : {}),
  })
}
