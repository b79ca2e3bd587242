import { isStorageError, keyInFolder, type StorageService } from '@coffer/core'
import type { FastifyPluginAsync } from 'fastify'
import type { MultipartUploadStore } from '../domain/uploads/multipart-upload-store.ts'
import type { TusUploads } from '../http/tus-uploads.ts'

/** What the sweep removes, and after how long. */
export interface UploadSweepJobOptions {
  uploads: TusUploads
  /** S3 multipart uploads in progress, aborted once idle as long as tus uploads. */
  multipart: MultipartUploadStore
  /** The storage they stage their parts on, whose driver's own leftovers are swept too. */
  storage: StorageService
  /** Uploads idle this long (ms) are removed with their staged bytes. */
  expiry: number
}

/** Aborts the multipart uploads idle since before `cutoff`; returns how many. */
export async function sweepMultipart(
  multipart: MultipartUploadStore,
  storage: StorageService,
  cutoff: Date,
): Promise<number> {
  const stale = await multipart.sweep(cutoff)
  let failure: unknown
  for (const upload of stale) {
    await storage
      .abortMultipartUpload(keyInFolder(upload.bucket, upload.key), upload.uploadId)
      .catch((error) => {
        // Already gone from the store (its own sweep, a crash mid-abort) is as good as aborted; any
        // other failure is reported once all are tried, and the store's own sweep takes that upload.
        if (!isStorageError(error, 'NotFound')) failure ??= error
      })
  }
  if (failure !== undefined) throw failure
  return stale.length
}

/**
 * Removes abandoned resumable uploads and multipart uploads, and the backend's own leftovers (S3
 * multipart uploads whose abort failed or whose start was retried, the fs driver's part files of a
 * killed process), every quarter of the expiry and at least hourly.
 */
export const uploadSweepJob: FastifyPluginAsync<UploadSweepJobOptions> = async (
  app,
  { uploads, multipart, storage, expiry },
) => {
  const report = (what: string) =>
    [
      (removed: number) => removed > 0 && app.log.info({ removed }, `${what} removed`),
      (error: unknown) => app.log.warn({ err: error }, `sweeping ${what} failed`),
    ] as const
  const sweep = () => {
    const cutoff = new Date(Date.now() - expiry)
    uploads.sweep(expiry).then(...report('abandoned uploads'))
    sweepMultipart(multipart, storage, cutoff).then(...report('abandoned multipart uploads'))
    storage.driver.sweepUploads?.(cutoff).then(...report('abandoned backend uploads'))
  }
  const timer = setInterval(sweep, Math.min(expiry / 4, 3600_000))
  timer.unref()
  app.addHook('onClose', async () => clearInterval(timer))
}
