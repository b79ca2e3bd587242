import { type CofferClient, CofferError, type DeleteResult, isErrorCode } from '@coffer/client'

/** Keys per batch-delete request (the service's and S3's limit). */
const BATCH = 1000

/**
 * Deletes objects of a bucket: every key under `prefix` in one request, or a list of keys in batches
 * (`POST …/delete`). The service reports per-key failures in its answer; the first is thrown, with
 * its code, after every batch has been sent. Returns how many objects were deleted.
 */
export async function deleteObjects(
  client: CofferClient,
  bucket: string,
  target: { prefix: string } | { keys: readonly string[] },
): Promise<number> {
  const bodies =
    'prefix' in target
      ? [{ prefix: target.prefix }]
      : Array.from({ length: Math.ceil(target.keys.length / BATCH) }, (_, i) => ({
          keys: target.keys.slice(i * BATCH, (i + 1) * BATCH),
        }))
  let deleted = 0
  const errors: DeleteResult['errors'] = []
  for (const body of bodies) {
    const result = await client.objects.deleteMany(bucket, body)
    deleted += result.deleted.length
    errors.push(...result.errors)
  }
  const [first] = errors
  if (first !== undefined) {
    throw new CofferError(
      isErrorCode(first.code) ? first.code : 'Internal',
      200,
      `${errors.length} object(s) not deleted; ${first.key}: ${first.message}`,
    )
  }
  return deleted
}
