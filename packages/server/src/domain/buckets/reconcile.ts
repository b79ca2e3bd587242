import {
  compareKeys,
  isStorageError,
  type ObjectSummary,
  StorageError,
  type StorageService,
} from '@coffer/core'
import { type ObjectCatalog, type RowVersion, SYSTEM } from '../../catalog/object-catalog.ts'
import type { BucketStore } from './bucket-store.ts'

/** What a reconcile run found and repaired. */
export interface ReconcileReport {
  buckets: number
  /** Objects the store holds, walked. */
  scanned: number
  /** Rows added for objects written behind Coffer's back (or whose index write was lost). */
  added: number
  /** Rows removed because their object is gone from the store. */
  removed: number
  /** Rows whose size or etag differed from the store's, refreshed. */
  updated: number
  /** Buckets whose byte or object counters were wrong, recounted. */
  recounted: number
  /** Reservations of crashed uploads, dropped. */
  expiredReservations: number
  /** Top-level folders of the store that belong to no bucket (left alone). */
  strays: string[]
  /** Up to 100 of the keys changed, `<bucket>/<key>` with `+`, `-` or `~` in front. */
  changes: string[]
  durationMs: number
}

/** Store listing pages; the index rows of the same key range are read beside each page. */
const PAGE = 1000
/** Rows added or removed by a run past which the index's statistics are refreshed. */
const ANALYZE_AFTER = 1000
/** Objects read (stat) at once while adding rows. */
const CONCURRENCY = 8

/**
 * Walks the store and the index side by side, bucket by bucket, in key order, and repairs the index:
 * rows for objects it lacks, no rows for objects that are gone, fresh rows where size or etag differ,
 * and recounted usage. Safe while uploads go on: a row is only changed if it still is what the walk
 * saw (an upload that commits meanwhile wins), and a row is only removed after a fresh look at the
 * store confirms that its object is gone.
 */
export async function reconcile(
  storage: StorageService,
  index: ObjectCatalog,
  buckets: BucketStore,
  options: { bucket?: string; signal?: AbortSignal } = {},
): Promise<ReconcileReport> {
  const started = Date.now()
  const report: ReconcileReport = {
    buckets: 0,
    scanned: 0,
    added: 0,
    removed: 0,
    updated: 0,
    recounted: 0,
    expiredReservations: 0,
    strays: [],
    changes: [],
    durationMs: 0,
  }
  const note = (change: string) => {
    if (report.changes.length < 100) report.changes.push(change)
  }
  const all = await buckets.list()
  if (options.bucket !== undefined) await buckets.get(options.bucket)
  const names = options.bucket === undefined ? all.map((b) => b.name) : [options.bucket]
  for (const name of names) {
    options.signal?.throwIfAborted()
    report.buckets += 1
    await reconcileBucket(storage, index, name, report, note, options.signal)
    if (await index.recount(name)) report.recounted += 1
  }
  report.expiredReservations = await index.dropExpiredReservations()
  // A large repair changes the table's shape: without fresh statistics, Postgres may sort a whole
  // bucket for each page instead of walking its key index.
  if (report.added + report.removed > ANALYZE_AFTER) await index.analyze()
  if (options.bucket === undefined) {
    const known = new Set(all.map((b) => `${b.name}/`))
    let cursor: string | undefined
    do {
      const page = await storage.listObjects({ delimiter: '/', limit: PAGE, ...(cursor ? { cursor } : {}) })
      // `.coffer/` holds Coffer's own objects (the variant cache), never a bucket's.
      report.strays.push(...page.prefixes.filter((prefix) => !known.has(prefix) && prefix !== '.coffer/'))
      cursor = page.cursor
    } while (cursor !== undefined)
  }
  // Repairs run concurrently: list them in key order.
  report.changes.sort((a, b) => compareKeys(a.slice(2), b.slice(2)))
  report.durationMs = Date.now() - started
  return report
}

async function reconcileBucket(
  storage: StorageService,
  index: ObjectCatalog,
  bucket: string,
  report: ReconcileReport,
  note: (change: string) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const root = `${bucket}/`
  let cursor: string | undefined
  let after: string | undefined
  do {
    signal?.throwIfAborted()
    const page = await storage.listObjects({ prefix: root, limit: PAGE, ...(cursor ? { cursor } : {}) })
    cursor = page.cursor
    const stored = new Map(
      page.objects.map((o) => [o.key.slice(root.length), { ...o, key: o.key.slice(root.length) }]),
    )
    report.scanned += stored.size
    // This page covers the keys after the previous page's last, up to its own last (or all, at the
    // end); the index rows of that range come in pages of their own (a wiped store leaves many).
    const through = cursor === undefined ? undefined : page.objects.at(-1)?.key.slice(root.length)
    let from = after
    for (;;) {
      const rows = await index.rowsBetween(bucket, from, through, PAGE)
      const work: (() => Promise<void>)[] = []
      for (const row of rows) {
        const object = stored.get(row.key)
        stored.delete(row.key)
        if (object === undefined) {
          work.push(async () => {
            if (await storage.exists(root + row.key)) return
            if (await index.removeIfUnchanged(bucket, row.key, row)) {
              report.removed += 1
              note(`- ${root}${row.key}`)
            }
          })
        } else if (Number(row.size) !== object.size || row.etag !== object.etag) {
          work.push(async () => {
            if (await refresh(storage, index, bucket, object, row)) {
              report.updated += 1
              note(`~ ${root}${object.key}`)
            }
          })
        }
      }
      await runBounded(work, CONCURRENCY)
      if (rows.length < PAGE) break
      from = rows.at(-1)?.key
    }
    const missing = [...stored.values()].map((object) => async () => {
      if (!(await refresh(storage, index, bucket, object, null))) return
      // Deleted between the look and the row? Then the row goes again: no row for a gone object.
      if (!(await storage.exists(root + object.key))) {
        const row = await index.find(bucket, object.key)
        if (row !== undefined) await index.removeIfUnchanged(bucket, object.key, row)
        return
      }
      report.added += 1
      note(`+ ${root}${object.key}`)
    })
    await runBounded(missing, CONCURRENCY)
    after = through
  } while (cursor !== undefined)
}

/** Writes the row of one object from a fresh look at it; false when it vanished or the row moved on. */
async function refresh(
  storage: StorageService,
  index: ObjectCatalog,
  bucket: string,
  object: ObjectSummary,
  seen: RowVersion | null,
): Promise<boolean> {
  try {
    const info = await storage.stat(`${bucket}/${object.key}`)
    // A listing may show another etag than a fresh look: the S3 driver's staged multipart objects
    // list the md5 of their whole body, and read with their multipart etag. A row that holds what
    // the look says is current, and keeps the parts and checksums its writer recorded.
    if (seen !== null && info.etag === seen.etag && info.size === Number(seen.size)) return false
    return await index.putIfUnchanged(bucket, { ...info, key: object.key }, seen, SYSTEM)
  } catch (error) {
    if (isStorageError(error) && error.code === 'NotFound') return false
    throw error
  }
}

async function runBounded(work: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < work.length) {
      const task = work[next++] as () => Promise<void>
      await task()
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, work.length) }, worker))
}

/** Refuses a second reconcile while one runs in this process. */
export function oneAtATime<A extends unknown[], T>(
  run: (...args: A) => Promise<T>,
): (...args: A) => Promise<T> {
  let running = false
  return async (...args) => {
    if (running)
      throw new StorageError('PreconditionFailed', 'a reconcile is running already; try again later')
    running = true
    try {
      return await run(...args)
    } finally {
      running = false
    }
  }
}
