import { isStorageError } from '@coffer/core'
import type { FastifyPluginAsync } from 'fastify'
import { BucketObjects } from '../domain/buckets/bucket-objects.ts'
import type { DomainContext } from '../domain/context.ts'

/** Objects deleted per round at most; the next round takes the rest. */
const BATCH = 500
/** The audit trail's actor for what the service does on its own. */
const SYSTEM = { id: 'system', ip: null }

/** What the sweep needs, and how often it runs. */
export interface ExpirySweepJobOptions {
  ctx: DomainContext
  /** Milliseconds between rounds; default 60 s. */
  every?: number | undefined
}

/**
 * Deletes one batch of expired objects: from the store, then from the index with the bucket's usage
 * and quota counters and an `object.expire` audit event, as any delete through the bucket. Returns how
 * many went. Expired objects are already served and listed nowhere; this frees their room.
 */
export async function sweepExpired(ctx: DomainContext, now = new Date()): Promise<number> {
  const rows = await ctx.catalog.expired(now.toISOString(), BATCH)
  const byBucket = new Map<string, string[]>()
  for (const { bucket, key } of rows) byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), key])
  let removed = 0
  for (const [name, keys] of byBucket) {
    // A bucket deleted since takes its objects with it.
    const bucket = await ctx.buckets.get(name).catch((error: unknown) => {
      if (isStorageError(error, 'NotFound')) return undefined
      throw error
    })
    if (bucket === undefined) continue
    const objects = new BucketObjects(ctx, bucket, SYSTEM)
    const result = await objects.deleteMany(keys, 'object.expire')
    removed += result.deleted.length
  }
  return removed
}

/** Runs `sweepExpired` every minute (or `every` ms), and keeps going when a round fails. */
export const expirySweepJob: FastifyPluginAsync<ExpirySweepJobOptions> = async (app, { ctx, every }) => {
  let running = false
  const round = () => {
    if (running) return
    running = true
    sweepExpired(ctx)
      .then(
        (removed) => removed > 0 && app.log.info({ removed }, 'expired objects deleted'),
        (error: unknown) => app.log.warn({ err: error }, 'deleting expired objects failed'),
      )
      .finally(() => {
        running = false
      })
  }
  const timer = setInterval(round, every ?? 60_000)
  timer.unref()
  app.addHook('onClose', async () => clearInterval(timer))
}
