import { Transform, type TransformCallback } from 'node:stream'
import { StorageError } from '@coffer/core'
import type { Transaction } from 'kysely'
import type { Database } from '../db/schema.ts'
import { type CounterChange, nextId, type ObjectCatalog } from './object-catalog.ts'

/** A reservation stops counting this long after its last renewal (a crashed process's, say). */
export const RESERVATION_TTL_MS = 15 * 60 * 1000
/**
 * Uploads reserve beyond what they need in steps of this many bytes while their bytes flow: a
 * transaction per MiB, and one upload does not take all the room from uploads running beside it.
 */
const STEP = 1024 * 1024

function expiry(): string {
  return new Date(Date.now() + RESERVATION_TTL_MS).toISOString()
}

function quotaExceeded(bucket: string, what: string): StorageError {
  return new StorageError('QuotaExceeded', `bucket "${bucket}" has no room for ${what} within its quota`)
}

/**
 * Room set aside in a bucket's quota for one upload or copy while its bytes are written, so that
 * concurrent writers cannot overshoot the quota together: every check and change of a reservation
 * runs in a transaction that holds the bucket's row, against the bytes and objects the index counts
 * plus every live reservation. An overwrite is credited with the size of the object it replaces; as
 * that object may be moved or deleted while the upload runs, the credit is checked again when the
 * upload is recorded (`commitIn`).
 */
export class Reservation {
  readonly id = nextId()
  readonly bucket: string
  readonly #index: ObjectCatalog
  /** Bytes reserved in the table (beyond the credit). */
  #bytes = 0
  /** Size of the object the upload replaces, which it frees. */
  #credit = 0
  #objects = 0
  #renewal: NodeJS.Timeout | undefined
  #released = false
  /**
   * Why renewing the reservation failed: its row may expire while the upload runs, and other writers
   * would then see room that is not there, so the upload stops at its next chunk.
   */
  #lost: StorageError | undefined

  private constructor(index: ObjectCatalog, bucket: string) {
    this.#index = index
    this.bucket = bucket
  }

  /**
   * Reserves room for writing `key` (`bytes` when known) in a bucket with a quota; undefined when the
   * bucket has none. Throws `QuotaExceeded` when the room is not there.
   */
  static async open(
    index: ObjectCatalog,
    bucket: string,
    key: string,
    bytes: number | undefined,
  ): Promise<Reservation | undefined> {
    const reservation = new Reservation(index, bucket)
    const opened = await index.inBucket(bucket, async (tx) => {
      const limits = await quotaOf(tx, bucket)
      if (limits === undefined) return false
      const existing = await index.find(bucket, key, tx)
      reservation.#credit = Number(existing?.size ?? 0)
      reservation.#objects = existing === undefined ? 1 : 0
      const wanted = Math.max(0, (bytes ?? 0) - reservation.#credit)
      await reservation.#check(tx, limits, wanted, reservation.#objects)
      reservation.#bytes = wanted
      await tx
        .insertInto('reservations')
        .values({
          id: reservation.id,
          bucket,
          bytes: wanted,
          objects: reservation.#objects,
          expires_at: expiry(),
        })
        .execute()
      return true
    })
    if (!opened) return undefined
    reservation.#renewal = setInterval(() => void reservation.#renew(), RESERVATION_TTL_MS / 3)
    reservation.#renewal.unref()
    return reservation
  }

  /** Makes sure `total` bytes fit: grows the reservation (by a step when there is room for one). */
  async cover(total: number): Promise<void> {
    this.#assertHeld()
    const needed = total - this.#credit
    if (needed <= this.#bytes) return
    await this.#index.inBucket(this.bucket, async (tx) => {
      const limits = await quotaOf(tx, this.bucket)
      if (limits === undefined) return
      const room = await this.#room(tx, limits)
      if (needed - this.#bytes > room) throw quotaExceeded(this.bucket, `${total} bytes`)
      const grown = Math.min(needed + STEP, this.#bytes + room)
      await tx
        .updateTable('reservations')
        .set({ bytes: grown, expires_at: expiry() })
        .where('id', '=', this.id)
        .execute()
      this.#bytes = grown
    })
  }

  /**
   * Ends the reservation inside the transaction that records the upload, given what recording it
   * changed in the bucket's counters (from the row it replaced at that moment). When the upload adds
   * more than it reserved (the object it was credited for was moved or deleted meanwhile: repeated
   * overwrite + move cycles grew a bucket to 3.1x its quota), the quota is checked again, counting
   * the upload in full, and `QuotaExceeded` rolls the recording back. `release` still runs after it:
   * should that transaction roll back, the reservation must not outlive the upload.
   */
  async commitIn(tx: Transaction<Database>, change: CounterChange): Promise<void> {
    this.#assertHeld()
    await tx.deleteFrom('reservations').where('id', '=', this.id).execute()
    const moreBytes = change.bytes > this.#bytes
    const moreObjects = change.objects > this.#objects
    if (!moreBytes && !moreObjects) return
    const limits = await quotaOf(tx, this.bucket)
    if (limits === undefined) return
    // The counters already hold this upload; every other live reservation still counts.
    const reserved = await reservedIn(tx, this.bucket, this.id)
    if (moreBytes && limits.bytes !== undefined && limits.usedBytes + reserved.bytes > limits.bytes) {
      throw quotaExceeded(this.bucket, `${change.bytes} more bytes`)
    }
    if (
      moreObjects &&
      limits.objects !== undefined &&
      limits.usedObjects + reserved.objects > limits.objects
    ) {
      throw quotaExceeded(this.bucket, 'another object')
    }
  }

  /** Ends the reservation (the write failed or is recorded). */
  async release(): Promise<void> {
    if (this.#released) return
    this.#stop()
    await this.#index.db.deleteFrom('reservations').where('id', '=', this.id).execute()
  }

  /** A pass-through stream that stops at the first byte the quota has no room for. */
  meter(): Transform {
    let total = 0
    return new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) => {
        total += chunk.length
        this.cover(total).then(
          () => done(null, chunk),
          (error: unknown) => done(error as Error),
        )
      },
    })
  }

  #stop(): void {
    this.#released = true
    clearInterval(this.#renewal)
  }

  async #renew(): Promise<void> {
    try {
      await this.#index.db
        .updateTable('reservations')
        .set({ expires_at: expiry() })
        .where('id', '=', this.id)
        .execute()
    } catch (cause) {
      this.#lost ??= new StorageError(
        'Unavailable',
        'the quota reservation of this upload could not be renewed',
        {
          cause,
          retryable: true,
        },
      )
    }
  }

  /** Throws why the reservation was lost, if it was. */
  #assertHeld(): void {
    if (this.#lost !== undefined) throw this.#lost
  }

  /** Bytes still free in the quota, not counting this reservation's own. */
  async #room(tx: Transaction<Database>, limits: Limits): Promise<number> {
    if (limits.bytes === undefined) return Number.POSITIVE_INFINITY
    const reserved = await reservedIn(tx, this.bucket, this.id)
    return limits.bytes - limits.usedBytes - reserved.bytes - this.#bytes
  }

  async #check(tx: Transaction<Database>, limits: Limits, bytes: number, objects: number): Promise<void> {
    const reserved = await reservedIn(tx, this.bucket, this.id)
    // A write that adds nothing (an overwrite with fewer bytes) passes even in a bucket over its quota.
    if (limits.bytes !== undefined && bytes > 0 && limits.usedBytes + reserved.bytes + bytes > limits.bytes) {
      throw quotaExceeded(this.bucket, `${bytes} more bytes`)
    }
    if (
      limits.objects !== undefined &&
      objects > 0 &&
      limits.usedObjects + reserved.objects + objects > limits.objects
    ) {
      throw quotaExceeded(this.bucket, 'another object')
    }
  }
}

interface Limits {
  bytes?: number
  objects?: number
  usedBytes: number
  usedObjects: number
}

/** A bucket's quota and what the index counts against it; undefined when it has no quota. */
async function quotaOf(tx: Transaction<Database>, bucket: string): Promise<Limits | undefined> {
  const row = await tx
    .selectFrom('buckets')
    .select(['quota_bytes', 'quota_objects', 'used_bytes', 'used_objects'])
    .where('name', '=', bucket)
    .executeTakeFirst()
  if (row === undefined || (row.quota_bytes === null && row.quota_objects === null)) return undefined
  const limits: Limits = { usedBytes: Number(row.used_bytes), usedObjects: Number(row.used_objects) }
  if (row.quota_bytes !== null) limits.bytes = Number(row.quota_bytes)
  if (row.quota_objects !== null) limits.objects = Number(row.quota_objects)
  return limits
}

/** What the live reservations of a bucket hold, except `except`'s. */
export async function reservedIn(
  db: Transaction<Database> | ObjectCatalog['db'],
  bucket: string,
  except?: string,
): Promise<{ bytes: number; objects: number }> {
  let query = db
    .selectFrom('reservations')
    .select((eb) => [
      eb.fn.sum<number | string>('bytes').as('bytes'),
      eb.fn.sum<number | string>('objects').as('objects'),
    ])
    .where('bucket', '=', bucket)
    .where('expires_at', '>', new Date().toISOString())
  if (except !== undefined) query = query.where('id', '<>', except)
  const row = await query.executeTakeFirst()
  return { bytes: Number(row?.bytes ?? 0), objects: Number(row?.objects ?? 0) }
}
