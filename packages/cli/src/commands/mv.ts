import { readdir, rmdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { CofferClient } from '@coffer/client'
import { isCofferUrl } from '../coffer-url.ts'
import { type CopyOptions, copyFiles } from './cp.ts'

/**
 * `coffer mv SRC DST [-r]`: within a bucket one request per object on the service; otherwise a copy,
 * then the source deleted once its copy is complete. A local folder moved whole is removed with
 * the folders it leaves empty.
 */
export async function mv(
  client: CofferClient,
  src: string,
  dst: string,
  options: CopyOptions,
): Promise<void> {
  await copyFiles(client, src, dst, options, true)
  if (options.recursive && !isCofferUrl(src)) await removeEmptyFolders(src)
}

/** Removes a folder's empty folders, deepest first, then the folder itself if it is empty. */
async function removeEmptyFolders(root: string): Promise<void> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  const folders = entries.filter((e) => e.isDirectory()).map((e) => join(e.parentPath, e.name))
  folders.sort((a, b) => b.length - a.length)
  for (const folder of [...folders, root]) {
    try {
      await rmdir(folder)
    } catch (error) {
      // A file that was not moved (it failed, or appeared meanwhile) keeps its folder.
      if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY') throw error
    }
  }
}
