import type { PresignOptions } from '@coffer/core'
import type { AppContext } from '../app-context.ts'
import type { BucketObjects } from '../buckets/bucket-objects.ts'

/**
 * A signed URL for one key and method. Downloads: where the driver signs its own (S3 SigV4), clients
 * go straight to the store. Uploads always get Coffer's HMAC URL (`<public url>/signed/<bucket>/<key>`)
 * and stream through Coffer: the store could not enforce a bucket's size limit, types or quota, nor
 * keep the object index and the audit trail, which every write must pass through. Drivers without
 * signing (fs, memory) get Coffer's URLs for both.
 */
export async function presign(
  ctx: AppContext,
  objects: BucketObjects,
  key: string,
  opts: PresignOptions,
): Promise<{ url: string; expiresAt: string }> {
  const now = Date.now()
  const expiresAt = new Date((Math.floor(now / 1000) + opts.expiresIn) * 1000).toISOString()
  if (ctx.storage.driver.presign !== undefined && opts.method === 'GET') {
    return { url: await objects.presign(key, opts), expiresAt }
  }
  return { url: ctx.signer().sign(objects.storageKey(key), opts, now), expiresAt }
}
