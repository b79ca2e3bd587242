import { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { isStorageError, StorageError } from '@coffer/core'
import type { ArchiveBudget } from './archive-budget.ts'

/** One file of an archive, as the extractors yield it. Folders are checked but not yielded. */
export interface ArchiveEntry {
  /** The file's path relative to the archive's root, checked by `entryPath` (NFC, no `..`). */
  readonly path: string
  /** The size the archive declares; the stream delivers exactly this many bytes or fails. */
  readonly size: number
  /**
   * The file's bytes, counted against the limits as they are read. Read it to its end before asking
   * for the next entry; whatever is left unread then is read and discarded (and still counted).
   * It fails with `TooLarge` past a limit and `InvalidArgument` when the archive is damaged.
   */
  readonly stream: Readable
}

/** What an extractor needs to turn a decompressed byte source into an entry's stream. */
export interface MeterOptions {
  path: string
  size: number
  budget: ArchiveBudget
  /** The entry's compressed size, for formats that compress each entry alone (zip). */
  compressedSize?: number
  /** Makes the error of a damaged archive from what the decompressor threw. */
  damaged: (cause: unknown) => StorageError
}

/** The entry's bytes from `source`, checked against the budget chunk by chunk. */
export function meteredEntry(source: AsyncIterable<Uint8Array>, options: MeterOptions): Readable {
  const { path, size, budget, compressedSize, damaged } = options
  async function* meter(): AsyncGenerator<Uint8Array> {
    let bytes = 0
    try {
      for await (const chunk of source) {
        bytes += chunk.byteLength
        budget.deliver(path, chunk.byteLength, bytes, compressedSize)
        yield chunk
      }
    } catch (error) {
      throw isStorageError(error) ? error : damaged(error)
    }
    if (bytes !== size) throw damaged(new Error(`the entry declares ${size} bytes but holds ${bytes}`))
  }
  return Readable.from(meter(), { objectMode: false })
}

/**
 * Waits until an entry's stream is done, reading and discarding what its consumer left, and throws
 * its failure: a limit or damage found in the entry must stop the whole extraction, not just the
 * consumer of that entry (tar-stream ends its iterator quietly when an entry is destroyed).
 */
export async function settleEntry(stream: Readable): Promise<void> {
  if (!stream.readableEnded && !stream.destroyed) stream.resume()
  try {
    await finished(stream)
  } catch (error) {
    if (isStorageError(error)) throw error
    if (stream.errored) throw stream.errored
    throw new StorageError('Aborted', 'an archive entry was abandoned before its end', { cause: error })
  }
}
