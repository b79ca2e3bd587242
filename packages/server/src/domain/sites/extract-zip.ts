import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { StorageError } from '@coffer/core'
import { type Entry, getFileNameLowLevel, openPromise, type ZipFile } from 'yauzl'
import { capArchiveBytes, quoteName } from './archive-budget.ts'
import { type ArchiveEntry, meteredEntry, settleEntry } from './archive-entry.ts'
import { archiveError, damagedArchive } from './archive-error.ts'
import { entryPath } from './entry-path.ts'
import { checkAborted, type Extraction } from './extraction.ts'

const S_IFMT = 0o170000
const S_IFREG = 0o100000
const S_IFDIR = 0o040000
const S_IFLNK = 0o120000

/**
 * Whether a zip entry is a file or a folder. Unix zips keep the file mode in the high 16 bits of
 * the external attributes; a symlink there (`zip --symlinks`) or any other special file is refused
 * whatever system wrote the archive, since no legitimate tool sets those bits otherwise.
 */
function entryKind(entry: Entry, name: string): 'file' | 'folder' {
  const type = (entry.externalFileAttributes >>> 16) & S_IFMT
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
    const what = type === S_IFLNK ? 'a link' : 'not a regular file'
    throw new StorageError('InvalidArgument', `the archive entry ${quoteName(name)} is ${what}`)
  }
  return name.endsWith('/') || type === S_IFDIR ? 'folder' : 'file'
}

/** Writes the body to `file`, refusing it past the archive limit. */
async function spool(body: AsyncIterable<Uint8Array>, file: string, x: Extraction): Promise<void> {
  const sink = createWriteStream(file, { flags: 'wx', mode: 0o600 })
  const options = x.signal === undefined ? {} : { signal: x.signal }
  await pipeline(body, capArchiveBytes(x.budget.limits), sink, options)
}

async function openZip(file: string): Promise<ZipFile> {
  // Names are decoded and checked here (decodeStrings: false), so that an unsafe name is a typed
  // error of ours rather than a message-only one of yauzl's.
  const options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }
  const zip = await openPromise(file, options)
  // yauzl reports some failures (closing its file) outside any call: they must not crash the process.
  zip.on('error', () => {})
  return zip
}

/** Opens one file entry's stream, checked against the limits. */
async function openEntry(zip: ZipFile, entry: Entry, path: string, x: Extraction): Promise<Readable> {
  if (entry.isEncrypted()) {
    throw new StorageError('InvalidArgument', `the archive entry ${quoteName(path)} is encrypted`)
  }
  if (!entry.canDecodeFileData()) {
    const why = 'uses a compression method other than deflate'
    throw new StorageError('InvalidArgument', `the archive entry ${quoteName(path)} ${why}`)
  }
  x.budget.admitDeclaredSize(path, entry.uncompressedSize)
  const source = await zip.openReadStreamPromise(entry)
  const damaged = (cause: unknown) => damagedArchive('zip', cause)
  const size = entry.uncompressedSize
  return meteredEntry(source, { path, size, budget: x.budget, compressedSize: entry.compressedSize, damaged })
}

async function* zipEntries(zip: ZipFile, x: Extraction): AsyncGenerator<ArchiveEntry> {
  if (zip.entryCount > x.budget.limits.maxEntries) {
    throw new StorageError('TooLarge', `the archive has more than ${x.budget.limits.maxEntries} entries`)
  }
  for await (const entry of zip.eachEntry()) {
    checkAborted(x)
    x.budget.admitEntry()
    const name = getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true)
    const kind = entryKind(entry, name)
    const path = entryPath(name, kind, x.keyPrefix)
    if (path === null) continue
    if (kind === 'folder') {
      x.names.addFolder(path)
      continue
    }
    x.names.addFile(path)
    const stream = await openEntry(zip, entry, path, x)
    try {
      yield { path, size: entry.uncompressedSize, stream }
      await settleEntry(stream)
    } finally {
      stream.destroy()
    }
  }
}

/**
 * The files of a zip archive. A zip's index is at its end, so the body is first spooled to a
 * private temporary file (once, refused past `maxArchiveBytes`), then its entries are streamed from
 * there one at a time. The file is removed when the iteration ends, however it ends.
 */
export async function* extractZip(
  body: AsyncIterable<Uint8Array>,
  x: Extraction,
): AsyncGenerator<ArchiveEntry> {
  let folder: string | undefined
  let zip: ZipFile | undefined
  try {
    folder = await mkdtemp(join(x.tempDir, 'coffer-zip-'))
    const file = join(folder, 'archive.zip')
    await spool(body, file, x)
    zip = await openZip(file)
    yield* zipEntries(zip, x)
  } catch (error) {
    throw archiveError('zip', error)
  } finally {
    zip?.close()
    if (folder !== undefined) await rm(folder, { recursive: true, force: true })
  }
}
