import type { PresignOptions } from '@coffer/core'
import type { AppContext } from '../app-context.ts'
import type { BucketObjects } from '../buckets/bucket-objects.ts'

/**
 * A signed URL for one key and method. Where the driver signs its own (S3 SigV4), clients go straight
 * to the store, except for uploads into a bucket with a size limit or allowed types: the store could
 * not enforce those, so such uploads get Coffer's HMAC URL (`<public url>/signed/<bucket>/<key>`)
 * and stream through Coffer, which does. Drivers without signing (fs, memory) always get Coffer's.
 */
export async function presign(
  ctx: AppContext,
  objects: BucketObjects,
  key: string,
  opts: PresignOptions,
): Promise<{ url: string; expiresAt: string }> {
  const now = Date.now()
  const expiresAt = new Date((Math.floor(now / 1000) + opts.expiresIn) * 1000).toISOString()
  const { bucket } = objects
  const policed =
    opts.method === 'PUT' && (bucket.maxFileSize !== undefined || bucket.allowedTypes !== undefined)
  if (ctx.storage.driver.presign !== undefined && !policed) {
    return { url: await objects.presign(key, opts), expiresAt }
  }
  return { url: ctx.signer().sign(objects.storageKey(key), opts, now), expiresAt }
}
