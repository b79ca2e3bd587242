import { LRUCache } from 'lru-cache'

/**
 * Rows read from the index, reused for `ttl` ms (default 5 s; 0: never kept), at most `max` of them.
 * A change made through this process calls `forget` and applies at once, even to a read in flight
 * when it happened: such a read returns what it read but keeps nothing. Absent rows are never kept.
 */
export class Recent<V extends {}> {
  readonly #cache: LRUCache<string, V> | undefined
  /** Bumped by every `forget`, so that a read that raced with a change does not keep what it read. */
  #changes = 0

  constructor(ttl = 5000, max = 10_000) {
    this.#cache = ttl > 0 ? new LRUCache({ max, ttl }) : undefined
  }

  /** The value kept for `key`, or what `read` gives (kept unless a change overlapped the read). */
  async get(key: string, read: () => Promise<V | undefined>): Promise<V | undefined> {
    const kept = this.#cache?.get(key)
    if (kept !== undefined) return kept
    const changes = this.#changes
    const value = await read()
    if (value !== undefined && changes === this.#changes) this.#cache?.set(key, value)
    return value
  }

  /** Drops `key`, or everything when no key is given. */
  forget(key?: string): void {
    this.#changes++
    if (key === undefined) this.#cache?.clear()
    else this.#cache?.delete(key)
  }
}
