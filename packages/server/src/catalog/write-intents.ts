import type { Insertable, Kysely, Selectable, Transaction } from 'kysely'
import type { Database, WriteIntentTable } from '../db/schema.ts'
import { nextId } from './object-catalog.ts'

type Db = Kysely<Database> | Transaction<Database>

/** A store write under way: its keys (or, for a delete by prefix, the prefix) in one bucket. */
export type WriteIntent = Selectable<WriteIntentTable>

/** What a batch of intents that did not reach the database is reported to. */
export type IntentErrorReporter = (error: unknown) => void

/** A `begin` waiting for its transaction. */
interface PendingBegin {
  rows: Insertable<WriteIntentTable>[]
  resolve: (ids: string[]) => void
  reject: (error: unknown) => void
}

/** Rows one insert statement writes: 6 columns each, well under both databases' parameter limits. */
const ROWS_PER_STATEMENT = 100

/**
 * Intents: every store write (upload, copy, move, delete) is recorded here before the store commits
 * it, and the record goes in the same transaction as the index row that follows the write (or right
 * after, for a write that failed). So after a crash at any moment, the intents left name every key
 * whose store and index may differ, and a restart repairs exactly those keys instead of walking the
 * whole store (see `resolveWriteIntents`).
 *
 * Each intent carries the instance that wrote it (one id per data dir): a start resolves only its own
 * instance's intents, never those of another process sharing the database whose writes are running.
 *
 * `begin` is group-committed like the index's puts: the intents that arrive during one turn of the
 * event loop go in one transaction, so concurrent small writes share its cost.
 */
export class WriteIntents {
  readonly #db: Kysely<Database>
  readonly instance: string
  readonly #onError: IntentErrorReporter
  readonly #pending: PendingBegin[] = []
  #committing = false

  constructor(db: Kysely<Database>, instance: string, onError: IntentErrorReporter) {
    this.#db = db
    this.instance = instance
    this.#onError = onError
  }

  /**
   * Records that a write of `keys` in `bucket` (or, with `prefix`, of every key under the one prefix
   * given) is about to reach the store; resolves with the intents' ids once they are committed.
   */
  begin(bucket: string, keys: readonly string[], prefix = false): Promise<string[]> {
    if (keys.length === 0) return Promise.resolve([])
    const at = new Date().toISOString()
    const rows = keys.map((key) => ({
      id: nextId(),
      instance: this.instance,
      bucket,
      key,
      prefix: prefix ? 1 : 0,
      created_at: at,
    }))
    return new Promise<string[]>((resolve, reject) => {
      this.#pending.push({ rows, resolve, reject })
      if (this.#committing) return
      this.#committing = true
      setImmediate(() => void this.#commit())
    })
  }

  async #commit(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, this.#pending.length)
        try {
          await this.#db.transaction().execute((tx) =>
            insert(
              tx,
              batch.flatMap((b) => b.rows),
            ),
          )
          for (const begin of batch) begin.resolve(begin.rows.map((row) => row.id))
        } catch (error) {
          for (const begin of batch) begin.reject(error)
        }
      }
    } finally {
      this.#committing = false
    }
  }

  /** Removes intents inside the transaction that records the write's outcome in the index. */
  async endIn(db: Db, ids: readonly string[]): Promise<void> {
    for (let start = 0; start < ids.length; start += 500) {
      await db
        .deleteFrom('write_intents')
        .where('id', 'in', ids.slice(start, start + 500))
        .execute()
    }
  }

  /**
   * Removes intents once their write is settled: the store unchanged (a failed upload), or the index
   * already following it. Never fails: an intent left behind is only resolved once more at the next
   * start, which finds store and index agreeing; the failure goes to the reporter.
   */
  async end(ids: readonly string[] | undefined): Promise<void> {
    if (ids === undefined || ids.length === 0) return
    await this.endIn(this.#db, ids).catch(this.#onError)
  }

  /** This instance's intents left by an earlier run, oldest first, up to `limit`. */
  async leftOver(limit: number): Promise<WriteIntent[]> {
    return this.#db
      .selectFrom('write_intents')
      .selectAll()
      .where('instance', '=', this.instance)
      .orderBy('id')
      .limit(limit)
      .execute()
  }
}

async function insert(tx: Transaction<Database>, rows: Insertable<WriteIntentTable>[]): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    await tx
      .insertInto('write_intents')
      .values(rows.slice(start, start + ROWS_PER_STATEMENT))
      .execute()
  }
}
