import { StorageError } from '@coffer/core'
import type { ArchiveBudget } from './archive-budget.ts'
import type { ArchiveNames } from './entry-path.ts'

/** The state one extraction shares between its format's reader and the checks. */
export interface Extraction {
  readonly budget: ArchiveBudget
  readonly names: ArchiveNames
  /** The key prefix the entries will be stored under; paths are checked as keys with it. */
  readonly keyPrefix: string
  /** The folder a zip is spooled to. */
  readonly tempDir: string
  readonly signal: AbortSignal | undefined
}

/** Throws `Aborted` when the extraction's signal has fired. */
export function checkAborted(extraction: Extraction): void {
  if (extraction.signal?.aborted) {
    throw new StorageError('Aborted', 'the archive upload was aborted', { cause: extraction.signal.reason })
  }
}
