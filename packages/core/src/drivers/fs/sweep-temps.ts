import { lstat, opendir, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { isErrno } from './fs-errors.ts'
import { TEMP_PREFIX } from './layout.ts'

/**
 * Removes the temp files under the objects tree `dir` last changed before `olderThan`: the writes
 * of a process that was killed (SIGKILL, a power cut) before it could rename or discard them, which
 * nothing else would ever remove. A write in progress touches its temp file with every chunk, and the
 * body idle timeout bounds its pauses, so a cutoff well in the past never removes a live one. The
 * tree is read one directory at a time (never all of it in memory); symbolic links are not followed.
 */
export async function sweepTemps(dir: string, olderThan: Date, signal?: AbortSignal): Promise<number> {
  let removed = 0
  let entries: Awaited<ReturnType<typeof opendir>>
  try {
    entries = await opendir(dir)
  } catch (error) {
    // Pruned while we walked, or the tree does not exist yet: nothing there.
    if (isErrno(error, 'ENOENT', 'ENOTDIR')) return 0
    throw error
  }
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
