import { readdir, stat } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'
import { TEMP_NAME } from './download-file.ts'

/** A local file to transfer. */
export interface LocalFile {
  /** Absolute path. */
  path: string
  size: number
  mtimeMs: number
}

/** A local file's size and time (a missing file throws Node's ENOENT error: exit code 2). */
export async function statFile(path: string): Promise<LocalFile & { isDirectory: boolean }> {
  const absolute = resolve(path)
  const info = await stat(absolute)
  return { path: absolute, size: info.size, mtimeMs: info.mtimeMs, isDirectory: info.isDirectory() }
}

/**
 * Every regular file under a folder, by its path relative to the folder with `/` separators and in
 * Unicode NFC (as Coffer normalises keys), so that a name typed or stored decomposed still matches its
 * key. Symbolic links and other special files are skipped, and so are the temporary files of
 * downloads (left by a crash, they are not the user's); a missing folder is an empty tree.
 */
export async function walkFolder(root: string): Promise<Map<string, LocalFile>> {
  const base = resolve(root)
  const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  })
  const files = new Map<string, LocalFile>()
  for (const entry of entries) {
    if (!entry.isFile() || TEMP_NAME.test(entry.name)) continue
    const path = join(entry.parentPath, entry.name)
    const info = await stat(path)
    const name = relative(base, path).split(sep).join('/').normalize('NFC')
    files.set(name, { path, size: info.size, mtimeMs: info.mtimeMs })
  }
  return files
}
