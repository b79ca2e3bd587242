import { isStorageError, type ObjectInfo, type StorageService } from '@coffer/core'
import { type ObjectCatalog, SYSTEM } from './object-catalog.ts'
import type { WriteIntent, WriteIntents } from './write-intents.ts'

/** What resolving the intents of an earlier run repaired. */
export interface IntentReport {
  /** Intents found (keys, and prefixes of deletes by prefix). */
  intents: number
  /** Rows written for objects the store committed but the index never heard of. */
  added: number
  /** Rows refreshed to what the store holds now (an overwrite the index missed). */
  updated: number
  /** Rows removed for objects the store no longer holds (a delete the index missed). */
  removed: number
}

/** Intents read at a time, and keys looked at concurrently. */
const PAGE = 500
const CONCURRENCY = 8

/**
 * Repairs the index after a crash, for exactly the keys whose writes were under way (the intents the
 * earlier run of this instance left): each key's row is made what the store holds now, a fresh row,
 * a refreshed one, or none, and the bucket's counters follow in the same transaction. No store walk:
 * the cost is a stat per key in flight at the crash. Run before the service takes requests, so no
 * write races it; the intents go once their keys agree.
 */
export async function resolveWriteIntents(
  storage: StorageService,
  catalog: ObjectCatalog,
  intents: WriteIntents,
): Promise<IntentReport> {
  const report: IntentReport = { intents: 0, added: 0, updated: 0, removed: 0 }
  const buckets = new Set(
    (await catalog.db.selectFrom('buckets').select('name').execute()).map((b) => b.name),
  )
  for (;;) {
    const page = await intents.leftOver(PAGE)
    if (page.length === 0) return report
    report.intents += page.length
    // A bucket deleted since holds nothing to repair (reconcile reports its store folder as a stray).
    const work = page
      .filter((intent) => buckets.has(intent.bucket))
      .map((intent) => () => (intent.prefix ? resolvePrefix : resolveKey)(storage, catalog, intent, report))
    // A few keys at a time: a stat each, and a transaction for each key that needs a repair.
    for (let i = 0; i < work.length; i += CONCURRENCY) {
      await Promise.all(work.slice(i, i + CONCURRENCY).map((resolve) => resolve()))
    }
    await intents.endIn(
      catalog.db,
      page.map((intent) => intent.id),
    )
  }
}

/** Makes one key's row what the store holds now. */
async function resolveKey(
  storage: StorageService,
  catalog: ObjectCatalog,
  { bucket, key }: WriteIntent,
  report: IntentReport,
): Promise<void> {
  const row = await catalog.find(bucket, key)
  const info = await statOrNothing(storage, `${bucket}/${key}`)
  if (info === undefined) {
    if (row !== undefined && (await catalog.removeIfUnchanged(bucket, key, row))) report.removed += 1
    return
  }
  if (row !== undefined && Number(row.size) === info.size && row.etag === info.etag) return
  if (await catalog.putIfUnchanged(bucket, { ...info, key }, row ?? null, SYSTEM)) {
    if (row === undefined) report.added += 1
    else report.updated += 1
  }
}

/** After a delete by prefix: removes the rows under the prefix whose objects are gone. */
async function resolvePrefix(
  storage: StorageService,
  catalog: ObjectCatalog,
  { bucket, key: prefix }: WriteIntent,
  report: IntentReport,
): Promise<void> {
  let from = prefix
  let inclusive = true
  for (;;) {
    const rows = await catalog.db
      .selectFrom('objects')
      .select(['key', 'size', 'etag', 'updated_at'])
      .where('bucket', '=', bucket)
      .where('key', inclusive ? '>=' : '>', from)
      .orderBy('key')
      .limit(PAGE)
      .execute()
    // Keys sort in byte order, so the keys under a prefix are one run that starts at the prefix.
    const under = rows.filter((row) => row.key.startsWith(prefix))
    for (const row of under) {
      if (await storage.exists(`${bucket}/${row.key}`)) continue
      if (await catalog.removeIfUnchanged(bucket, row.key, row)) report.removed += 1
    }
    if (under.length < PAGE) return
    from = under.at(-1)?.key ?? prefix
    inclusive = false
  }
}

async function statOrNothing(storage: StorageService, key: string): Promise<ObjectInfo | undefined> {
  try {
    return await storage.stat(key)
  } catch (error) {
    if (isStorageError(error, 'NotFound')) return undefined
    throw error
  }
}
