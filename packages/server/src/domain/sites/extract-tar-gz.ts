import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { StorageError } from '@coffer/core'
import { type Extract, type Header, extract as tarExtract } from 'tar-stream'
import { capArchiveBytes, exceedsRatio, quoteName, ratioError } from './archive-budget.ts'
import { type ArchiveEntry, meteredEntry, settleEntry } from './archive-entry.ts'
import { archiveError, damagedArchive } from './archive-error.ts'
import { entryPath } from './entry-path.ts'
import { checkAborted, type Extraction } from './extraction.ts'

/**
 * Tar's own bytes besides the files': a 512-byte header, long-name or PAX records and padding to
 * 512 bytes per entry. Legitimate PAX records are well under this; tar-stream buffers up to 4 MiB
 * of one, so a stream of oversized records is cut off by this allowance and the ratio check.
 */
const TAR_OVERHEAD_PER_ENTRY = 16 * 1024

function entryKind(header: Header): 'file' | 'folder' {
  if (header.type === 'file' || header.type === 'contiguous-file') return 'file'
  if (header.type === 'directory') return 'folder'
  const what = header.type === 'symlink' || header.type === 'link' ? 'a link' : 'not a regular file'
  throw new StorageError('InvalidArgument', `the archive entry ${quoteName(header.name)} is ${what}`)
}

/** Resolves when `extract` takes more input, rejects when it has stopped for good. */
function drained(extract: Extract): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      extract.off('drain', done)
      extract.off('close', closed)
      if (error === undefined) resolve()
      else reject(error)
    }
    const closed = () => done(new Error('the tar parser stopped'))
    extract.on('drain', done)
    extract.on('close', closed)
  })
}

/**
 * The files of a gzip-compressed tar archive, streamed: the body is inflated and parsed as it
 * arrives and nothing is written anywhere. The inflated stream as a whole is held to the ratio and
 * byte limits (a tar bomb is one gzip stream), and each file to the per-entry and total limits.
 */
export async function* extractTarGz(
  body: AsyncIterable<Uint8Array>,
  x: Extraction,
): AsyncGenerator<ArchiveEntry> {
  const { budget, names, keyPrefix } = x
  const limits = budget.limits
  const tarLimit = limits.maxTotalBytes + limits.maxEntries * TAR_OVERHEAD_PER_ENTRY
  const extract = tarExtract()
  const stop = new AbortController()
  let compressed = 0
  let inflated = 0
  async function* guardInflated(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      inflated += chunk.byteLength
      if (exceedsRatio(limits, inflated, compressed)) throw ratioError(limits, 'the tar.gz archive')
      if (inflated > tarLimit) throw new StorageError('TooLarge', 'the tar archive is too large')
      yield chunk
    }
  }
  async function feed(source: AsyncIterable<Uint8Array>): Promise<void> {
    for await (const chunk of source) {
      if (extract.destroying) throw new Error('the tar parser stopped')
      if (!extract.write(chunk)) await drained(extract)
    }
    extract.end(null)
  }
  const signal = x.signal === undefined ? stop.signal : AbortSignal.any([stop.signal, x.signal])
  const counted = capArchiveBytes(limits, (total) => {
    compressed = total
  })
  const feeding = pipeline(body, counted, createGunzip(), guardInflated, feed, { signal }).then(
    () => undefined,
    (error: unknown) => {
      const failure = archiveError('tar.gz', error)
      extract.destroy(failure)
      return failure
    },
  )
  try {
    for await (const source of extract) {
      checkAborted(x)
      budget.admitEntry()
      const kind = entryKind(source.header)
      const path = entryPath(source.header.name, kind, keyPrefix)
      if (path === null) continue
      if (kind === 'folder') {
        names.addFolder(path)
        continue
      }
      names.addFile(path)
      const size = source.header.size
      budget.admitDeclaredSize(path, size)
      const damaged = (cause: unknown) => damagedArchive('tar.gz', cause)
      const stream = meteredEntry(source as AsyncIterable<Uint8Array>, { path, size, budget, damaged })
      yield { path, size, stream }
      await settleEntry(stream)
    }
    const failure = await feeding
    if (failure !== undefined) throw failure
  } catch (error) {
    throw archiveError('tar.gz', error)
  } finally {
    stop.abort()
    extract.destroy()
    await feeding
  }
}
