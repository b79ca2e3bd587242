import type { Dir } from 'node:fs'
import { lstat, opendir, rm, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { isErrno } from './fs-errors.ts'
import { TEMP_PREFIX } from './layout.ts'

/** A directory's entries; undefined when it was pruned while we walked, or does not exist yet. */
async function openDirIfAny(dir: string): Promise<Dir | undefined> {
  try {
    return await opendir(dir)
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ENOTDIR')) return undefined
    throw error
  }
}

/**
 * Removes the temp files under the objects tree `dir` last changed before `olderThan`: the writes
 * of a process that was killed (SIGKILL, a power cut) before it could rename or discard them, which
 * nothing else would ever remove. A write in progress touches its temp file with every chunk, and the
 * body idle timeout bounds its pauses, so a cutoff well in the past never removes a live one. The
 * tree is read one directory at a time (never all of it in memory); symbolic links are not followed.
 */
export async function sweepTemps(dir: string, olderThan: Date, signal?: AbortSignal): Promise<number> {
  let removed = 0
  const entries = await openDirIfAny(dir)
  if (entries === undefined) return 0
  for await (const entry of entries) {
    signal?.throwIfAborted()
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      removed += await sweepTemps(path, olderThan, signal)
    } else if (entry.isFile() && entry.name.startsWith(TEMP_PREFIX)) {
      // ctime, not mtime: a copy may carry its source's mtime, but its ctime is when it was made.
      const stats = await lstat(path).catch(() => undefined)
      if (stats === undefined || stats.ctime >= olderThan) continue
      await unlink(path).then(
        () => removed++,
        () => undefined, // renamed or discarded by its writer meanwhile
      )
    }
  }
  return removed
}

/**
 * Removes the multipart uploads under `dir` (one directory each) whose directory last changed before
 * `olderThan`: every part renamed into an upload changes its directory, so an upload still being
 * written is never taken. Uploads a killed process left, half-made ones included, go the same way.
 */
export async function sweepUploadDirs(dir: string, olderThan: Date, signal?: AbortSignal): Promise<number> {
  let removed = 0
  const entries = await openDirIfAny(dir)
  if (entries === undefined) return 0
  for await (const entry of entries) {
    signal?.throwIfAborted()
    if (!entry.isDirectory()) continue
    const path = join(dir, entry.name)
    const stats = await lstat(path).catch(() => undefined)
    if (stats === undefined || stats.mtime >= olderThan) continue
    await rm(path, { recursive: true, force: true })
    removed++
  }
  return removed
}
