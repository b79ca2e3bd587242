import type { ListStart } from '../../driver.ts'
import { compareKeys } from '../../keys.ts'

/**
 * Keys kept in S3's order (UTF-8 bytes) for listing, with binary search for every position, so a
 * listing can resume from a key even when keys were added or removed in between.
 */
export class SortedKeys {
  readonly #keys: string[] = []

  /** Index of the first key not less than `key`. */
  lowerBound(key: string): number {
    let low = 0
    let high = this.#keys.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (compareKeys(this.#keys[mid] as string, key) < 0) low = mid + 1
      else high = mid
    }
    return low
  }

  /** Index of the first key after every key that starts with `prefix`. */
  #endOfPrefix(prefix: string): number {
    let low = this.lowerBound(prefix)
    let high = this.#keys.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if ((this.#keys[mid] as string).startsWith(prefix)) low = mid + 1
      else high = mid
    }
    return low
  }

  /** The first key after `after` (after all keys starting with it when `skipPrefix`), or undefined. */
  next(after: string, skipPrefix: boolean): string | undefined {
    if (skipPrefix) return this.#keys[this.#endOfPrefix(after)]
    const index = this.lowerBound(after)
    return this.#keys[this.#keys[index] === after ? index + 1 : index]
  }

  /** The first key of a listing that starts at `start`. */
  first(start: ListStart): string | undefined {
    const { prefix, after } = start
    if (after === undefined || compareKeys(after, prefix) < 0) {
      if (start.afterIsPrefix && after !== undefined && prefix.startsWith(after)) return undefined
      return this.#keys[this.lowerBound(prefix)]
    }
    return this.next(after, start.afterIsPrefix === true)
  }

  add(key: string): void {
    const index = this.lowerBound(key)
    if (this.#keys[index] !== key) this.#keys.splice(index, 0, key)
  }

  remove(key: string): void {
    const index = this.lowerBound(key)
    if (this.#keys[index] === key) this.#keys.splice(index, 1)
  }
}
