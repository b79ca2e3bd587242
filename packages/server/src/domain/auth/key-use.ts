import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.ts'

/** How often a key's `last_used_at` is written at most, per process. */
export const KEY_USE_INTERVAL = 60_000
/** Keys remembered at most; past it the memory starts afresh (at worst one more write per key). */
const MAX_KEYS = 10_000

/**
 * When API keys were last used, written to the index at most once a minute per key and process, in
 * the background: a write per request would cost more than the request. A failed write is reported
 * to `onError` and tried again at the key's next use a minute later.
 */
export class KeyUse {
  readonly #db: Kysely<Database>
  readonly #onError: (error: unknown) => void
  /** When each key's use was last written (ms). */
  readonly #written = new Map<string, number>()

  constructor(db: Kysely<Database>, onError: (error: unknown) => void) {
    this.#db = db
    this.#onError = onError
  }

  /** Notes that the key `id` authenticated a request now. */
  note(id: string, now = Date.now()): void {
    const last = this.#written.get(id)
    if (last !== undefined && now - last < KEY_USE_INTERVAL) return
    if (this.#written.size >= MAX_KEYS) this.#written.clear()
    this.#written.set(id, now)
    this.#db
      .updateTable('api_keys')
      .set({ last_used_at: new Date(now).toISOString() })
      .where('id', '=', id)
      .execute()
      .catch(this.#onError)
  }
}
