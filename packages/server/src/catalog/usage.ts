import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.ts'

/** Traffic of one day, bucket and owner. */
export interface Traffic {
  bytesIn: number
  bytesOut: number
  requests: number
}

/** One row of the usage statistics. */
export interface DailyUsage extends Traffic {
  day: string
  bucket: string
  owner: string
}

/** How often the counters in memory are written to the index. */
const FLUSH_MS = 5000

/**
 * Counts traffic per day (UTC), bucket and key owner in memory and adds it to `usage_daily` every few
 * seconds and at close: one upsert per counter instead of a write per request. A crash loses at most
 * the last few seconds of counts, never an object.
 */
export class UsageRecorder {
  readonly #db: Kysely<Database>
  #pending = new Map<string, DailyUsage>()
  #timer: NodeJS.Timeout | undefined
  #flushing: Promise<void> = Promise.resolve()

  readonly #onFlushError: (error: unknown) => void

  /** `onFlushError` hears of a timed flush that failed (its counts stay for the next one). */
  constructor(db: Kysely<Database>, onFlushError: (error: unknown) => void = () => undefined) {
    this.#db = db
    this.#onFlushError = onFlushError
  }

  /** Counts one request. */
  record(bucket: string, owner: string, bytesIn: number, bytesOut: number): void {
    const day = new Date().toISOString().slice(0, 10)
    this.#add(day, bucket, owner, { bytesIn, bytesOut, requests: 1 })
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => void this.flush().catch(this.#onFlushError), FLUSH_MS)
      this.#timer.unref()
    }
  }

  #add(day: string, bucket: string, owner: string, traffic: Traffic): void {
    const id = `${day}\n${bucket}\n${owner}`
    let counts = this.#pending.get(id)
    if (counts === undefined) {
      counts = { day, bucket, owner, bytesIn: 0, bytesOut: 0, requests: 0 }
      this.#pending.set(id, counts)
    }
    counts.bytesIn += traffic.bytesIn
    counts.bytesOut += traffic.bytesOut
    counts.requests += traffic.requests
  }

  /** Writes the counts in memory to the index (and waits for a flush in progress). */
  async flush(): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const rows = [...this.#pending.values()]
    this.#pending = new Map()
    // One flush at a time; a failed one gives its counts back for the next, and never blocks it.
    const flushing = this.#flushing.catch(() => undefined).then(() => this.#write(rows))
    this.#flushing = flushing
    try {
      await flushing
    } catch (error) {
      for (const row of rows) this.#add(row.day, row.bucket, row.owner, row)
      throw error
    }
  }

  async #write(rows: DailyUsage[]): Promise<void> {
    if (rows.length === 0) return
    await this.#db.transaction().execute(async (tx) => {
      for (const row of rows) {
        await tx
          .insertInto('usage_daily')
          .values({
            day: row.day,
            bucket: row.bucket,
            owner: row.owner,
            bytes_in: row.bytesIn,
            bytes_out: row.bytesOut,
            requests: row.requests,
          })
          .onConflict((conflict) =>
            conflict.columns(['day', 'bucket', 'owner']).doUpdateSet((eb) => ({
              bytes_in: eb('usage_daily.bytes_in', '+', eb.ref('excluded.bytes_in')),
              bytes_out: eb('usage_daily.bytes_out', '+', eb.ref('excluded.bytes_out')),
              requests: eb('usage_daily.requests', '+', eb.ref('excluded.requests')),
            })),
          )
          .execute()
      }
    })
  }

  /** The daily rows from `since` (a day, inclusive), of one bucket or all, flushed first. */
  async daily(options: { bucket?: string; since: string }): Promise<DailyUsage[]> {
    await this.flush()
    let query = this.#db.selectFrom('usage_daily').selectAll().where('day', '>=', options.since)
    if (options.bucket !== undefined) query = query.where('bucket', '=', options.bucket)
    const rows = await query.orderBy('day').orderBy('bucket').orderBy('owner').execute()
    return rows.map((row) => ({
      day: row.day,
      bucket: row.bucket,
      owner: row.owner,
      bytesIn: Number(row.bytes_in),
      bytesOut: Number(row.bytes_out),
      requests: Number(row.requests),
    }))
  }
}
