import { tmpdir } from 'node:os'
import { Readable } from 'node:stream'
import { StorageError } from '@coffer/core'
import { ArchiveBudget } from './archive-budget.ts'
import type { ArchiveEntry } from './archive-entry.ts'
import type { ArchiveFormat } from './archive-error.ts'
import { type ArchiveLimits, archiveLimits } from './archive-limits.ts'
import { ArchiveNames } from './entry-path.ts'
import { extractTarGz } from './extract-tar-gz.ts'
import { extractZip } from './extract-zip.ts'

/** How to unpack one archive. */
export interface ExtractOptions {
  /** Overrides of `DEFAULT_ARCHIVE_LIMITS`. */
  limits?: Partial<ArchiveLimits>
  /** The key prefix the files will be stored under, so that paths are checked as whole keys. Default "". */
  keyPrefix?: string
  /** Where a zip is spooled while it is read. Default: the system's temporary folder. */
  tempDir?: string
  /** Stops the extraction (`Aborted`). */
  signal?: AbortSignal
}

/**
 * The format of an archive from its first bytes, whatever its declared type says: a zip starts with
 * a local file header ("PK\x03\x04") or, when empty, the end record ("PK\x05\x06"); gzip with 1F 8B.
 */
export function archiveFormat(head: Uint8Array): ArchiveFormat | undefined {
  const [a, b, c, d] = head
  if (a === 0x50 && b === 0x4b && ((c === 3 && d === 4) || (c === 5 && d === 6))) return 'zip'
  if (a === 0x1f && b === 0x8b) return 'tar.gz'
  return undefined
}

/**
 * Reads the first bytes of `body`; returns them and a stream of the whole body, those bytes
 * included. A Node stream is not destroyed when the extraction stops early: its owner decides what
 * to do with the rest (a server answers first, then closes the connection, lingering so the answer
 * is not reset away).
 */
async function peek(body: AsyncIterable<Uint8Array>, bytes: number) {
  const iterator =
    body instanceof Readable ? body.iterator({ destroyOnReturn: false }) : body[Symbol.asyncIterator]()
  const head: Uint8Array[] = []
  let length = 0
  while (length < bytes) {
    const next = await iterator.next()
    if (next.done === true) break
    head.push(next.value)
    length += next.value.byteLength
  }
  async function* whole(): AsyncGenerator<Uint8Array> {
    yield* head.splice(0)
    yield* { [Symbol.asyncIterator]: () => iterator }
  }
  return { head: Buffer.concat(head), whole: whole() }
}

/**
 * The files of a zip or tar.gz archive streamed in `body`, one at a time, each checked before it is
 * yielded: a safe relative path that the key rules accept, a regular file (no link or device), a
 * name not seen before, and bytes within the limits as they are inflated. The format is told by
 * the body's first bytes; anything else is `UnsupportedMediaType` (415). Unsafe or damaged archives
 * fail with `InvalidArgument` (400) or `InvalidKey` (400), archives over a limit with `TooLarge`
 * (413) — possibly after some entries were yielded, so a caller that stores entries as they come
 * must remove them when the iteration throws.
 */
export async function* extractArchive(
  body: AsyncIterable<Uint8Array>,
  options: ExtractOptions = {},
): AsyncGenerator<ArchiveEntry, void, undefined> {
  const { head, whole } = await peek(body, 4)
  const format = archiveFormat(head)
  if (format === undefined) {
    await whole.return(undefined)
    const detail =
      head.byteLength === 0 ? 'the archive is empty' : 'the body is neither a zip nor a tar.gz archive'
    throw new StorageError('UnsupportedMediaType', detail)
  }
  const extraction = {
    budget: new ArchiveBudget(archiveLimits(options.limits)),
    names: new ArchiveNames(),
    keyPrefix: options.keyPrefix ?? '',
    tempDir: options.tempDir ?? tmpdir(),
    signal: options.signal,
  }
  yield* format === 'zip' ? extractZip(whole, extraction) : extractTarGz(whole, extraction)
}
