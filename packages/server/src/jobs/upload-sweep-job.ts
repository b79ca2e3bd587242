import type { Driver } from '@coffer/core'
import type { FastifyPluginAsync } from 'fastify'
import type { TusUploads } from '../http/tus-uploads.ts'

/** What the sweep removes, and after how long. */
export interface UploadSweepJobOptions {
  uploads: TusUploads
  /** The driver, whose own leftovers (S3 multipart uploads) are swept too. */
  driver: Driver
  /** Uploads idle this long (ms) are removed with their staged bytes. */
  expiry: number
}

/**
 * Removes abandoned resumable uploads, and the backend's own leftovers (S3 multipart uploads whose
 * abort failed or whose start was retried), every quarter of the expiry and at least hourly.
 */
export const uploadSweepJob: FastifyPluginAsync<UploadSweepJobOptions> = async (
  app,
  { uploads, driver, expiry },
) => {
  const sweep = () => {
    uploads.sweep(expiry).then(
      (removed) => removed > 0 && app.log.info({ removed }, 'abandoned uploads removed'),
      (error: unknown) => app.log.warn({ err: error }, 'sweeping abandoned uploads failed'),
    )
    driver.sweepUploads?.(new Date(Date.now() - expiry)).then(
      (removed) => removed > 0 && app.log.info({ removed }, 'abandoned backend uploads removed'),
      (error: unknown) => app.log.warn({ err: error }, 'sweeping abandoned backend uploads failed'),
    )
  }
  const timer = setInterval(sweep, Math.min(expiry / 4, 3600_000))
  timer.unref()
  app.addHook('onClose', async () => clearInterval(timer))
}
