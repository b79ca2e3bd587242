import { constants } from 'node:fs'
import { copyFile, type FileHandle, link, lstat, mkdir, open, rename, rmdir, unlink } from 'node:fs/promises'
import { join, sep } from 'node:path'
import { Writable } from 'node:stream'
import { StorageError } from '../../errors.ts'
import { isErrno } from './fs-errors.ts'
import type { Layout, Location } from './layout.ts'
import { linkRefused } from './root-guard.ts'

/** How often to redo a step that raced with the pruning of an empty directory. */
const RACE_RETRIES = 5

/**
 * Objects are readable by the service's own user only: other users of the machine have no business
 * reading tenants' files (files 0600, directories 0700, before the umask).
 */
export const FILE_MODE = 0o600
export const DIR_MODE = 0o700

/**
 * Makes `dir` and the directories between it and the objects root `root`, one at a time: `mkdir -p`
 * would follow a symbolic link planted in the tree and make directories wherever it points.
 */
async function makeDirs(root: string, dir: string): Promise<void> {
  await mkdir(root, { recursive: true, mode: DIR_MODE })
  let path = root
  for (const segment of dir.slice(root.length + 1).split(sep)) {
    if (segment === '') continue
    path = join(path, segment)
    try {
      await mkdir(path, { mode: DIR_MODE })
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error
      const found = await lstat(path)
      if (found.isSymbolicLink()) throw linkRefused()
      if (!found.isDirectory()) throw error // a file where a directory should be
    }
  }
}

/**
 * Runs `step` in `dir` (under the objects root `root`), creating the directory first. An empty
 * directory may be pruned by a delete between our mkdir and our step (ENOENT): then we make it again.
 */
async function inDirectory<T>(root: string, dir: string, step: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    await makeDirs(root, dir)
    try {
      return await step()
    } catch (error) {
      if (!isErrno(error, 'ENOENT') || attempt >= RACE_RETRIES) throw error
    }
  }
}

/**
 * A Writable over a file handle that writes each chunk at its offset (writev for queued ones). It
 * leaves the handle open, so the record can be appended and the file synced before it is closed.
 */
export function handleWriter(handle: FileHandle): { stream: Writable; written: () => number } {
  let position = 0
  const stream = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _encoding, done) {
      handle.write(chunk, 0, chunk.length, position).then(({ bytesWritten }) => {
        position += bytesWritten
        done()
      }, done)
    },
    writev(chunks, done) {
      const buffers = chunks.map((c) => c.chunk as Buffer)
      handle.writev(buffers, position).then(({ bytesWritten }) => {
        position += bytesWritten
        done()
      }, done)
    },
  })
  return { stream, written: () => position }
}

/** A temp file beside its final place, so the commit is a rename within one directory. */
export interface TempFile {
  path: string
  handle: FileHandle
}

export async function createTemp(layout: Layout, location: Location): Promise<TempFile> {
  const create = async () => {
    const path = join(location.dir, layout.tempName())
    return { path, handle: await open(path, 'wx', FILE_MODE) }
  }
  // The directory almost always exists: try first, which saves a mkdir per write. When it is missing
  // (ENOENT), or a file stands where a directory should (ENOTDIR), mkdir makes it or reports why not.
  try {
    return await create()
  } catch (error) {
    if (!isErrno(error, 'ENOENT', 'ENOTDIR')) throw error
    return inDirectory(layout.objects, location.dir, create)
  }
}

/** A temp file holding a copy of `source` (a reflink where the file system can). */
export async function copyToTemp(layout: Layout, source: string, location: Location): Promise<TempFile> {
  return inDirectory(layout.objects, location.dir, async () => {
    const path = join(location.dir, layout.tempName())
    await copyFile(source, path, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE)
    const handle = await open(path, 'r+')
    // A copy takes its source's mode, which an object written by an older version may have had wider.
    await handle.chmod(FILE_MODE)
    return { path, handle }
  })
}

/**
 * Makes a rename durable: the directory entry is on disk when this resolves. Concurrent writers each
 * sync: ext4's journal already commits concurrent fsyncs together, and a queue of our own in front
 * of it (one directory fsync at a time, shared) measured slower under load, not faster.
 */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** A create-only `link` that found its target taken (EEXIST) is the caller's `PreconditionFailed`. */
function refuseExisting(error: unknown): never {
  if (!isErrno(error, 'EEXIST')) throw error
  throw new StorageError('PreconditionFailed', 'an object already exists at this key', { cause: error })
}

/**
 * Puts a finished temp file in its place atomically. With `createOnly`, `link` fails when the target
 * exists, which makes create-only writes atomic too (rename would replace silently).
 */
export async function commit(
  temp: string,
  location: Location,
  opts: { createOnly: boolean; fsync: boolean },
) {
  if (opts.createOnly) {
    await link(temp, location.file).catch(refuseExisting)
    await unlink(temp)
  } else {
    await rename(temp, location.file)
  }
  if (opts.fsync) await syncDirectory(location.dir)
}

/**
 * Moves an object file to another place, creating the target's directories. With `createOnly`,
 * `link` then `unlink`: `link` fails with EEXIST atomically where `rename` would replace.
 */
export async function moveFile(
  layout: Layout,
  from: string,
  to: Location,
  opts: { createOnly: boolean },
): Promise<void> {
  if (!opts.createOnly) return inDirectory(layout.objects, to.dir, () => rename(from, to.file))
  await inDirectory(layout.objects, to.dir, () => link(from, to.file)).catch(refuseExisting)
  await unlink(from)
}

/** Best-effort removal of a temp file after a failure; the failure itself is what gets reported. */
export async function discard(temp: TempFile | undefined): Promise<void> {
  if (!temp) return
  await temp.handle.close().catch(() => undefined)
  await unlink(temp.path).catch(() => undefined)
}

/** Removes the now-empty directories above a deleted object, deepest first, up to the root. */
export async function pruneEmpty(parents: readonly string[]): Promise<void> {
  for (const dir of [...parents].reverse()) {
    try {
      await rmdir(dir)
    } catch {
      return // not empty (or gone, or in use): the directories above are not empty either
    }
  }
}
