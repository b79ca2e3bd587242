import type { Readable } from 'node:stream'
import { isStorageError, type StorageService } from '@coffer/core'
import type { Kysely } from 'kysely'
import { reusableQuery } from '../../db/reusable-query.ts'
import type { Database } from '../../db/schema.ts'

/** Where renders are kept in the store: outside every bucket (no bucket name starts with a dot). */
export const RENDERS_ROOT = '.coffer/renders/'

/** Bytes derived from an object (a render, a compressed site file): the bytes, type, and source. */
export interface RenderEntry {
  id: string
  bucket: string
  /** The source object's key in its bucket: its overwrite or deletion drops the entry. */
  key: string
  sourceEtag: string
  contentType: string
  /** The bytes: whole (a render), or streamed (a compressed file, never held whole). */
  data: Buffer | Readable
}

/** A stored render, opened for reading. */
export interface StoredRender {
  body: Readable | Buffer
  size: number
  contentType: string
}

/** Every cached render's GET reads its row. */
const renderRow = reusableQuery((db) => db.selectFrom('renders').selectAll().where('id', '=', ''))

/** Served renders' `used_at` is written at most this often (ms), so hits rarely write. */
const TOUCH_EVERY = 60_000

/**
 * The variant cache: each render (and each compressed site file) stored once in the store under `.coffer/renders/<bucket>/<id>`,
 * where no bucket listing, quota or index row sees it, with a row in the `renders` table for its
 * size and last use. Bounded in bytes: past `maxBytes` the least recently used renders go. Any
 * process sharing the store and the index shares the cache.
 */
export class RenderCache {
  readonly #db: Kysely<Database>
  readonly #storage: StorageService
  readonly #maxBytes: number
  #evicting: Promise<void> | undefined

  constructor(db: Kysely<Database>, storage: StorageService, maxBytes: number) {
    this.#db = db
    this.#storage = storage
    this.#maxBytes = maxBytes
  }

  static storageKey(bucket: string, id: string): string {
    return `${RENDERS_ROOT}${bucket}/${id}`
  }

  /** The stored render `id`, or undefined when there is none (or its bytes are gone). */
  async open(bucket: string, id: string, signal: AbortSignal): Promise<StoredRender | undefined> {
    const [row] = await renderRow(this.#db, id)
    if (row === undefined) return undefined
    try {
      const result = await this.#storage.getObject(RenderCache.storageKey(bucket, id), { signal })
      if (result.notModified) return undefined
      if (Date.now() - Date.parse(row.used_at) > TOUCH_EVERY) {
        await this.#db
          .updateTable('renders')
          .set({ used_at: new Date().toISOString() })
          .where('id', '=', id)
          .execute()
      }
      // A small render read whole travels as bytes: no stream to make and pipe for it.
      return { body: result.bytes ?? result.body, size: result.info.size, contentType: row.content_type }
    } catch (error) {
      if (!isStorageError(error, 'NotFound')) throw error
      // Evicted by another process between the row and the read: render it again.
      await this.#db.deleteFrom('renders').where('id', '=', id).execute()
      return undefined
    }
  }

  /** Stores a render, then evicts the least recently used ones past the bound. */
  async store(entry: RenderEntry): Promise<void> {
    const { data } = entry
    const info = await this.#storage.upload(data, {
      key: RenderCache.storageKey(entry.bucket, entry.id),
      contentType: entry.contentType,
      ...(Buffer.isBuffer(data) ? { contentLength: data.length } : {}),
    })
    const now = new Date().toISOString()
    await this.#db
      .insertInto('renders')
      .values({
        id: entry.id,
        bucket: entry.bucket,
        key: entry.key,
        source_etag: entry.sourceEtag,
        size: info.size,
        content_type: entry.contentType,
        created_at: now,
        used_at: now,
      })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute()
    // One eviction pass at a time: a burst of stores would otherwise race to delete the same rows.
    this.#evicting ??= this.#evict().finally(() => {
      this.#evicting = undefined
    })
    await this.#evicting
  }

  /** Removes every render of the given keys of a bucket: their source was overwritten or deleted. */
  async dropSources(bucket: string, keys: readonly string[]): Promise<void> {
    for (let at = 0; at < keys.length; at += 500) {
      const rows = await this.#db
        .selectFrom('renders')
        .select(['id', 'bucket'])
        .where('bucket', '=', bucket)
        .where('key', 'in', keys.slice(at, at + 500))
        .execute()
      await this.#remove(rows)
    }
  }

  /** Bytes the cache holds, by its rows. */
  async size(): Promise<number> {
    const row = await this.#db
      .selectFrom('renders')
      .select((eb) => eb.fn.sum<number | string | null>('size').as('total'))
      .executeTakeFirst()
    return Number(row?.total ?? 0)
  }

  async #evict(): Promise<void> {
    let excess = (await this.size()) - this.#maxBytes
    while (excess > 0) {
      const rows = await this.#db
        .selectFrom('renders')
        .select(['id', 'bucket', 'size'])
        .orderBy('used_at')
        .orderBy('id')
        .limit(100)
        .execute()
      if (rows.length === 0) return
      const victims = []
      for (const row of rows) {
        if (excess <= 0) break
        victims.push(row)
        excess -= Number(row.size)
      }
      await this.#remove(victims)
    }
  }

  async #remove(rows: readonly { id: string; bucket: string }[]): Promise<void> {
    if (rows.length === 0) return
    // The bytes first: a row without bytes reads as a miss, bytes without a row would never go.
    await this.#storage.deleteObjects(rows.map((row) => RenderCache.storageKey(row.bucket, row.id)))
    await this.#db
      .deleteFrom('renders')
      .where(
        'id',
        'in',
        rows.map((row) => row.id),
      )
      .execute()
  }
}
