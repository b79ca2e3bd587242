import { randomFillSync } from 'node:crypto'
import { essence, type ObjectInfo, StorageError } from '@coffer/core'
import { type Insertable, type Kysely, type Selectable, sql, type Transaction } from 'kysely'
import { monotonicFactory } from 'ulid'
import { isPostgres } from '../db/dialect.ts'
import type { Database, ObjectTable } from '../db/schema.ts'
import { expiryOf } from '../support/object-expiry.ts'
import { type AuditQuery, readAuditTrail } from './audit-trail.ts'
import { CatalogListing } from './catalog-listing.ts'

/** Who changes the index: the audit trail's actor and the objects' owner. */
export interface Actor {
  /** `<kind>:<id>` of a credential (for a signed URL, the one that issued it), or `anonymous`, `system`. */
  id: string
  /** The client's address, when a request made the change. */
  ip: string | null
  /** How the credential acted when not directly: through a signed URL or a share link it made. */
  via?: 'signed-url' | 'share'
}

/** What an audit event records besides its actor and time. */
export interface AuditEntry {
  action: string
  bucket?: string
  key?: string
  detail?: Record<string, unknown>
}

/** The actor of reconcile and other maintenance. */
export const SYSTEM: Actor = { id: 'system', ip: null }

/** Whether an actor is a credential (whose id is recorded as the objects' owner). */
function ownerOf(actor: Actor): string | null {
  return actor.id.startsWith('key:') || actor.id.startsWith('jwt:') ? actor.id : null
}

/**
 * Random fractions for ULIDs, drawn from a buffer of random bytes refilled 4 KiB at a time: the
 * library's default asks the system for each of a ULID's 16 random characters, a system call per
 * character that showed in the profiles of small uploads.
 */
function bufferedRandom(): () => number {
  const bytes = new Uint32Array(1024)
  let next = bytes.length
  return () => {
    if (next === bytes.length) {
      randomFillSync(bytes)
      next = 0
    }
    return (bytes[next++] as number) / 2 ** 32
  }
}

/** Monotonic ULIDs (time-ordered ids) for audit events and reservations. */
export const nextId = monotonicFactory(bufferedRandom())

type Db = Kysely<Database> | Transaction<Database>

/** What a change did to a bucket's counters. */
export interface CounterChange {
  bytes: number
  objects: number
}

/** Runs inside the transaction that records a put, with what the put changed (see `ObjectCatalog.put`). */
export type WithinPut = (tx: Transaction<Database>, change: CounterChange) => Promise<void>

/** Most puts one transaction records (see `ObjectCatalog.put`). */
const MAX_BATCH = 256

/** A put waiting for its transaction. */
interface PendingPut {
  bucket: string
  info: ObjectInfo
  actor: Actor
  audit: AuditRow | undefined
  within: WithinPut | undefined
  resolve: () => void
  reject: (error: unknown) => void
}

type AuditRow = Insertable<Database['audit_events']>

function auditRow(actor: Actor, entry: AuditEntry): AuditRow {
  return {
    id: nextId(),
    at: new Date().toISOString(),
    actor: actor.id,
    ip: actor.ip,
    action: entry.action,
    bucket: entry.bucket ?? null,
    key: entry.key ?? null,
    detail:
      actor.via === undefined
        ? entry.detail === undefined
          ? null
          : JSON.stringify(entry.detail)
        : JSON.stringify({ ...entry.detail, via: actor.via }),
  }
}

async function insertAudit(db: Db, rows: readonly AuditRow[]): Promise<void> {
  // 8 columns a row: 100 rows stay well under both databases' parameter limits.
  for (let start = 0; start < rows.length; start += 100) {
    await db
      .insertInto('audit_events')
      .values(rows.slice(start, start + 100))
      // A retried put brings the row it tried to write before (see `ObjectCatalog.put`).
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute()
  }
}

/** An index row of an object as the storage describes it. */
export function objectRow(bucket: string, info: ObjectInfo, owner: string | null, now: string) {
  return {
    bucket,
    key: info.key,
    size: info.size,
    etag: info.etag,
    sha256: info.checksum.sha256 ?? null,
    content_type: info.contentType,
    media_type: essence(info.contentType),
    visibility: info.visibility,
    metadata: JSON.stringify(info.metadata),
    owner,
    created_at: now,
    updated_at: info.lastModified.toISOString(),
    expires_at: expiryOf(info.metadata)?.toISOString() ?? null,
    // A new write of the key replaces its tags too (as on S3): whoever tags it does so after.
    tags: null,
    // So do its checksum and parts: a writer that has them records them after (`object-checksums`).
    checksum: null,
    parts: null,
  } satisfies Insertable<ObjectTable>
}

/** What identifies one version of a row: reconcile changes a row only if it is still the one it saw. */
export type RowVersion = Pick<Selectable<ObjectTable>, 'updated_at' | 'etag' | 'size'>

function sameVersion(row: RowVersion | undefined, seen: RowVersion | null): boolean {
  if (row === undefined || seen === null) return row === undefined && seen === null
  return (
    row.updated_at === seen.updated_at && row.etag === seen.etag && Number(row.size) === Number(seen.size)
  )
}

/**
 * The object index: one row per object, kept by the service on every upload, copy, move and delete,
 * together with each bucket's usage counters and the audit trail, in one transaction per change. The
 * storage stays the source of truth: a change whose index write fails (a crash in between) leaves
 * drift that `reconcile` repairs.
 */
export class ObjectCatalog {
  readonly db: Kysely<Database>
  /** Listings with filters and sorts. */
  readonly listing: CatalogListing
  readonly #postgres: boolean

  constructor(db: Kysely<Database>) {
    this.db = db
    this.listing = new CatalogListing(db)
    this.#postgres = isPostgres(db as Kysely<unknown>)
  }

  /** Throws `Unavailable` when the index's database does not answer. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db).catch((cause: unknown) => {
      throw new StorageError('Unavailable', 'the index database does not answer', { cause })
    })
  }

  /** A page of the audit trail, newest first. */
  auditTrail(query: AuditQuery): ReturnType<typeof readAuditTrail> {
    return readAuditTrail(this.db, query)
  }

  /**
   * Runs `work` in a transaction that holds the bucket's row locked (Postgres: `FOR UPDATE`; SQLite
   * has one connection, whose transactions run one at a time), so counters and quota checks of one
   * bucket never interleave.
   */
  async inBucket<T>(bucket: string, work: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    // Puts queued before this change are written first: a delete or move of a key whose upload is
    // still waiting for its transaction must not run before it (the row would come back).
    await this.#queuedPuts
    return this.db.transaction().execute(async (tx) => {
      if (this.#postgres) {
        await tx.selectFrom('buckets').select('name').where('name', '=', bucket).forUpdate().execute()
      }
      return work(tx)
    })
  }

  /** The row of one object, if indexed. */
  async find(bucket: string, key: string, db: Db = this.db): Promise<Selectable<ObjectTable> | undefined> {
    return db
      .selectFrom('objects')
      .selectAll()
      .where('bucket', '=', bucket)
      .where('key', '=', key)
      .executeTakeFirst()
  }

  /** Of `keys` in `bucket`, those whose expiry has passed at `now` (ISO 8601). */
  async expiredAmong(bucket: string, keys: readonly string[], now: string): Promise<Set<string>> {
    const expired = new Set<string>()
    for (let start = 0; start < keys.length; start += 500) {
      const rows = await this.db
        .selectFrom('objects')
        .select('key')
        .where('bucket', '=', bucket)
        .where('key', 'in', keys.slice(start, start + 500))
        .where('expires_at', '<=', now)
        .execute()
      for (const row of rows) expired.add(row.key)
    }
    return expired
  }

  /** Up to `limit` objects whose expiry has passed at `now` (ISO 8601), soonest expired first. */
  async expired(now: string, limit: number): Promise<{ bucket: string; key: string }[]> {
    return this.db
      .selectFrom('objects')
      .select(['bucket', 'key'])
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(limit)
      .execute()
  }
  /**
   * Records an object as stored (an upload, the target of a copy or move, or one reconcile found),
   * adjusting the bucket's counters by the difference to the row it replaces. `within` runs in the
   * same transaction with that difference (ending the upload's reservation, say, which checks the
   * quota again when the upload adds more than it reserved); should it throw, the put is not recorded.
   *
   * Group commit: while one transaction of puts runs, the puts that arrive wait and then go in the
   * next one together, so concurrent uploads share the cost of a transaction (and, on SQLite, of the
   * one connection). Should a shared transaction fail, each of its puts is retried alone, so one bad
   * put never fails the others; the audit row keeps its id across a retry, so a commit whose outcome
   * was unknown is not recorded twice. Other changes (`inBucket`) wait for the puts queued before them.
   */
  put(
    bucket: string,
    info: ObjectInfo,
    actor: Actor,
    audit: AuditEntry | undefined,
    within?: WithinPut,
  ): Promise<void> {
    const row = audit === undefined ? undefined : auditRow(actor, audit)
    const written = new Promise<void>((resolve, reject) => {
      this.#puts.push({ bucket, info, actor, audit: row, within, resolve, reject })
      if (this.#committing) return
      // Starts after the event loop's current turn, so that the puts whose bytes reached the store in
      // this turn (the thread pool reports many at once under load) go in one transaction.
      this.#committing = true
      setImmediate(() => void this.#commitPuts())
    })
    // Puts are written in the order they are queued: the last one settled means all of them are.
    // The chain only orders; a put's failure reaches its own caller through `written`.
    this.#queuedPuts = written.catch(() => undefined)
    return written
  }

  readonly #puts: PendingPut[] = []
  #committing = false
  #queuedPuts: Promise<void> = Promise.resolve()

  async #commitPuts(): Promise<void> {
    try {
      while (this.#puts.length > 0) {
        const batch = this.#puts.splice(0, MAX_BATCH)
        try {
          await this.#writePuts(batch)
          for (const put of batch) put.resolve()
        } catch (error) {
          if (batch.length === 1) batch[0]?.reject(error)
          else for (const put of batch) await this.#writePuts([put]).then(put.resolve, put.reject)
        }
      }
    } finally {
      this.#committing = false
    }
  }

  /** One transaction for puts into one or more buckets, locked in name order (no deadlock). */
  async #writePuts(batch: readonly PendingPut[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      if (this.#postgres) {
        const buckets = [...new Set(batch.map((put) => put.bucket))]
        await tx
          .selectFrom('buckets')
          .select('name')
          .where('name', 'in', buckets)
          .orderBy('name')
          .forUpdate()
          .execute()
      }
      const audits: AuditRow[] = []
      for (const { bucket, info, actor, audit, within } of batch) {
        const change = await this.putIn(tx, bucket, info, ownerOf(actor))
        await within?.(tx, change)
        if (audit) audits.push(audit)
      }
      await insertAudit(tx, audits)
    })
  }

  /**
   * `put` inside a transaction the caller holds (with the bucket locked). The last write wins: puts
   * reach the index in the order the service committed them (the queue of `put`), which cannot go
   * backwards. Never the objects' last-modified times: the store stamps a multipart upload in whole
   * seconds and a single PUT in milliseconds, so a small PUT followed within a second by a large one
   * looked newer and kept its stale row.
   * Returns what the put changed in the bucket's counters.
   */
  async putIn(
    tx: Transaction<Database>,
    bucket: string,
    info: ObjectInfo,
    owner: string | null,
  ): Promise<CounterChange> {
    const old = await this.find(bucket, info.key, tx)
    const now = new Date().toISOString()
    const row = objectRow(bucket, info, owner ?? old?.owner ?? null, old?.created_at ?? now)
    const { bucket: _b, key: _k, ...changes } = row
    await tx
      .insertInto('objects')
      .values(row)
      .onConflict((conflict) => conflict.columns(['bucket', 'key']).doUpdateSet(changes))
      .execute()
    const change = { bytes: info.size - Number(old?.size ?? 0), objects: old === undefined ? 1 : 0 }
    await this.#count(tx, bucket, change.bytes, change.objects)
    return change
  }

  /** Records objects as deleted; keys without a row are skipped. */
  async remove(
    bucket: string,
    keys: readonly string[],
    actor: Actor,
    action = 'object.delete',
  ): Promise<void> {
    if (keys.length === 0) return
    await this.inBucket(bucket, async (tx) => {
      await this.removeIn(tx, bucket, keys)
      await this.auditIn(tx, actor, ...keys.map((key) => ({ action, bucket, key })))
    })
  }

  /** `remove` inside a transaction the caller holds; returns the rows removed. */
  async removeIn(tx: Transaction<Database>, bucket: string, keys: readonly string[]): Promise<number> {
    let removed = 0
    // Bounded statements: Postgres and SQLite both cap the number of parameters.
    for (let start = 0; start < keys.length; start += 500) {
      const batch = keys.slice(start, start + 500)
      const rows = await tx
        .deleteFrom('objects')
        .where('bucket', '=', bucket)
        .where('key', 'in', batch)
        .returning('size')
        .execute()
      const bytes = rows.reduce((sum, row) => sum + Number(row.size), 0)
      await this.#count(tx, bucket, -bytes, -rows.length)
      removed += rows.length
    }
    return removed
  }

  /** Records a move: the source's row goes, the target's is written, in one transaction. */
  async move(bucket: string, from: string, info: ObjectInfo, actor: Actor): Promise<void> {
    await this.inBucket(bucket, async (tx) => {
      await this.removeIn(tx, bucket, [from])
      await this.putIn(tx, bucket, info, ownerOf(actor))
      await this.auditIn(tx, actor, { action: 'object.move', bucket, key: from, detail: { to: info.key } })
    })
  }

  async #count(tx: Transaction<Database>, bucket: string, bytes: number, objects: number): Promise<void> {
    if (bytes === 0 && objects === 0) return
    await tx
      .updateTable('buckets')
      .set((eb) => ({
        used_bytes: eb('used_bytes', '+', bytes),
        used_objects: eb('used_objects', '+', objects),
      }))
      .where('name', '=', bucket)
      .execute()
  }

  /** Appends to the audit trail. */
  async audit(actor: Actor, ...entries: AuditEntry[]): Promise<void> {
    await this.auditIn(this.db, actor, ...entries)
  }

  async auditIn(db: Db, actor: Actor, ...entries: AuditEntry[]): Promise<void> {
    await insertAudit(
      db,
      entries.map((entry) => auditRow(actor, entry)),
    )
  }

  /** Up to `limit` rows of a bucket with keys after `after` up to `through` (inclusive), in key order. */
  async rowsBetween(bucket: string, after: string | undefined, through: string | undefined, limit: number) {
    let query = this.db
      .selectFrom('objects')
      .select(['key', 'size', 'etag', 'updated_at'])
      .where('bucket', '=', bucket)
    if (after !== undefined) query = query.where('key', '>', after)
    if (through !== undefined) query = query.where('key', '<=', through)
    return query.orderBy('key').limit(limit).execute()
  }

  /**
   * Writes an object's row unless the row changed since `seen` (the row as read, or null for "no
   * row"): reconcile's write, which must lose to an upload that committed meanwhile. A row is the
   * same when its time, etag and size are: two uploads within one second of S3's clock share a time.
   */
  async putIfUnchanged(
    bucket: string,
    info: ObjectInfo,
    seen: RowVersion | null,
    actor: Actor,
  ): Promise<boolean> {
    return this.inBucket(bucket, async (tx) => {
      const row = await this.find(bucket, info.key, tx)
      if (!sameVersion(row, seen)) return false
      await this.putIn(tx, bucket, info, null)
      const action = row === undefined ? 'reconcile.add' : 'reconcile.update'
      await this.auditIn(tx, actor, { action, bucket, key: info.key, detail: { size: info.size } })
      return true
    })
  }

  /** Removes an object's row unless it changed since `seen`; reconcile's, once the object is gone. */
  async removeIfUnchanged(bucket: string, key: string, seen: RowVersion): Promise<boolean> {
    return this.inBucket(bucket, async (tx) => {
      const row = await this.find(bucket, key, tx)
      if (row === undefined || !sameVersion(row, seen)) return false
      await this.removeIn(tx, bucket, [key])
      await this.auditIn(tx, SYSTEM, { action: 'reconcile.remove', bucket, key })
      return true
    })
  }

  /** Sets a bucket's counters to what its rows add up to; true when they were wrong. */
  async recount(bucket: string): Promise<boolean> {
    return this.inBucket(bucket, async (tx) => {
      const sums = await tx
        .selectFrom('objects')
        .select((eb) => [
          eb.fn.sum<number | string>('size').as('bytes'),
          eb.fn.countAll<number | string>().as('objects'),
        ])
        .where('bucket', '=', bucket)
        .executeTakeFirst()
      const bytes = Number(sums?.bytes ?? 0)
      const objects = Number(sums?.objects ?? 0)
      const result = await tx
        .updateTable('buckets')
        .set({ used_bytes: bytes, used_objects: objects })
        .where('name', '=', bucket)
        .where((eb) => eb.or([eb('used_bytes', '<>', bytes), eb('used_objects', '<>', objects)]))
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    })
  }

  /** Drops reservations that stopped being renewed (their process died); returns how many. */
  async dropExpiredReservations(): Promise<number> {
    const result = await this.db
      .deleteFrom('reservations')
      .where('expires_at', '<=', new Date().toISOString())
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  /** Whether the index has any object row at all. */
  async hasRows(): Promise<boolean> {
    return (await this.db.selectFrom('objects').select('key').limit(1).executeTakeFirst()) !== undefined
  }

  /** Refreshes the planner's statistics of the objects table (after a large change). */
  async analyze(): Promise<void> {
    await sql`analyze objects`.execute(this.db)
  }

  /** Forgets every row of a bucket (the bucket is deleted). */
  async dropBucket(bucket: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('objects').where('bucket', '=', bucket).execute()
      await tx.deleteFrom('reservations').where('bucket', '=', bucket).execute()
    })
  }
}
