/** Limits on what unfinished resumable uploads may hold. */
export interface StagingLimits {
  /** Bytes all unfinished uploads of this process may stage together on its disk. */
  totalBytes: number
  /** Unfinished uploads one credential may have open at a time. */
  sessionsPerCredential: number
}

/**
 * 16 GiB staged in all, 50 open uploads per credential: room for a few large uploads at a time, and
 * for a browser queueing many files, while one credential cannot fill the disk or the index.
 */
export const DEFAULT_STAGING_LIMITS: StagingLimits = {
  totalBytes: 16 * 1024 ** 3,
  sessionsPerCredential: 50,
}

interface Entry {
  bucket: string
  /** Bytes in the staged file. */
  staged: number
  /** Bytes a request in flight was allowed to add. */
  claimed: number
}

/**
 * The bytes unfinished uploads hold on this process's disk (staged files are local to the process
 * that received them), per upload and per bucket, and what requests in flight may still add. Callers
 * check a limit and `claim` without an await between the two, so concurrent requests cannot overshoot
 * a limit together: JavaScript runs them one at a time between awaits.
 */
export class StagingLedger {
  readonly #entries = new Map<string, Entry>()

  /** Staged and claimed bytes of every upload. */
  total(): number {
    let sum = 0
    for (const entry of this.#entries.values()) sum += entry.staged + entry.claimed
    return sum
  }

  /** Staged and claimed bytes of the uploads into `bucket`. */
  inBucket(bucket: string): number {
    let sum = 0
    for (const entry of this.#entries.values()) {
      if (entry.bucket === bucket) sum += entry.staged + entry.claimed
    }
    return sum
  }

  /** Bytes staged for upload `id` (its offset). */
  staged(id: string): number {
    return this.#entries.get(id)?.staged ?? 0
  }

  /** Records the staged size of an upload (after a request wrote to it, or at start). */
  settle(id: string, bucket: string, staged: number): void {
    const entry = this.#entries.get(id)
    if (entry === undefined) this.#entries.set(id, { bucket, staged, claimed: 0 })
    else entry.staged = staged
  }

  /** Sets aside `bytes` that a request in flight may add to upload `id`, until `release`. */
  claim(id: string, bucket: string, bytes: number): void {
    const entry = this.#entries.get(id)
    if (entry === undefined) this.#entries.set(id, { bucket, staged: 0, claimed: bytes })
    else entry.claimed += bytes
  }

  /** Ends a claim (its request is over; `settle` records what it staged). */
  release(id: string, bytes: number): void {
    const entry = this.#entries.get(id)
    if (entry !== undefined) entry.claimed = Math.max(0, entry.claimed - bytes)
  }

  /** Forgets an upload (stored, terminated or swept). */
  drop(id: string): void {
    this.#entries.delete(id)
  }
}
