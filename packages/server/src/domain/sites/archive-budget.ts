import { StorageError } from '@coffer/core'
import type { ArchiveLimits } from './archive-limits.ts'

function tooLarge(message: string): StorageError {
  return new StorageError('TooLarge', message)
}

/** True when `out` bytes inflated from `input` compressed bytes exceed the allowed ratio. */
export function exceedsRatio(limits: ArchiveLimits, out: number, input: number): boolean {
  return out > limits.ratioFloorBytes && out > limits.maxRatio * Math.max(input, 1)
}

/** The error of a stream that inflates beyond the allowed ratio. */
export function ratioError(limits: ArchiveLimits, what: string): StorageError {
  return tooLarge(`${what} expands more than ${limits.maxRatio}:1; refused as a possible archive bomb`)
}

/**
 * The running account of one extraction: entries seen and uncompressed bytes delivered, checked
 * against the limits at every chunk. It throws `TooLarge` (413) the moment a limit is passed, so no
 * more than one chunk beyond a limit is ever inflated.
 */
export class ArchiveBudget {
  readonly limits: ArchiveLimits
  #entries = 0
  #declared = 0
  #delivered = 0

  constructor(limits: ArchiveLimits) {
    this.limits = limits
  }

  /** Counts one more entry (files and folders alike). */
  admitEntry(): void {
    this.#entries += 1
    if (this.#entries > this.limits.maxEntries) {
      throw tooLarge(`the archive has more than ${this.limits.maxEntries} entries`)
    }
  }

  /**
   * Refuses a file whose declared size is already over a limit: it would fail later anyway, and
   * refusing it now inflates nothing. Passing here proves nothing; `deliver` checks the real bytes.
   */
  admitDeclaredSize(path: string, size: number): void {
    this.#declared += size
    if (size > this.limits.maxEntryBytes) throw this.#entryTooLarge(path)
    if (this.#declared > this.limits.maxTotalBytes) throw this.#totalTooLarge()
  }

  /**
   * Counts `bytes` more uncompressed bytes of the file at `path`, which has now delivered
   * `entryBytes` in all from `compressedBytes` compressed ones (undefined when the format compresses
   * the whole stream instead, as tar.gz does).
   */
  deliver(path: string, bytes: number, entryBytes: number, compressedBytes?: number): void {
    this.#delivered += bytes
    if (entryBytes > this.limits.maxEntryBytes) throw this.#entryTooLarge(path)
    if (this.#delivered > this.limits.maxTotalBytes) throw this.#totalTooLarge()
    if (compressedBytes !== undefined && exceedsRatio(this.limits, entryBytes, compressedBytes)) {
      throw ratioError(this.limits, `the archive entry ${quoteName(path)}`)
    }
  }

  #entryTooLarge(path: string): StorageError {
    return tooLarge(`the archive entry ${quoteName(path)} is larger than ${this.limits.maxEntryBytes} bytes`)
  }

  #totalTooLarge(): StorageError {
    return tooLarge(`the archive's files add up to more than ${this.limits.maxTotalBytes} bytes`)
  }
}

// Control and bidirectional characters could forge log lines or disguise a name: such names are
// not echoed at all.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

/** An entry name as it may appear in an error message: quoted, short, printable, or a placeholder. */
export function quoteName(name: string): string {
  if (UNPRINTABLE.test(name) || !name.isWellFormed()) return '(a name with control characters)'
  return JSON.stringify(name.length > 120 ? `${name.slice(0, 117)}...` : name)
}

/**
 * A pipeline stage that passes an archive's compressed bytes through, refusing them past
 * `limits.maxArchiveBytes`; `count` is told the running total (for ratio checks).
 */
export function capArchiveBytes(limits: ArchiveLimits, count: (total: number) => void = () => {}) {
  return async function* capped(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    let total = 0
    for await (const chunk of source) {
      total += chunk.byteLength
      if (total > limits.maxArchiveBytes) {
        throw tooLarge(`the archive is larger than ${limits.maxArchiveBytes} bytes`)
      }
      count(total)
      yield chunk
    }
  }
}
