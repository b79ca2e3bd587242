import { normalizeKey, StorageError } from '@coffer/core'
import { quoteName } from './archive-budget.ts'

function unsafe(name: string, why: string): StorageError {
  return new StorageError('InvalidArgument', `the archive entry ${quoteName(name)} ${why}`)
}

/**
 * The path an archive entry may be stored at, relative to the deploy's folder: in NFC, without a
 * leading or trailing "/", or `null` for the archive's own root folder ("./", which `tar -C dist .`
 * writes). Entries are never resolved against a file system, so a path is refused rather than
 * "cleaned": `..` anywhere (zip-slip), absolute paths (`/etc/x`, `C:/x`), backslashes (which some
 * unpackers treat as separators, so `..\x` would escape), a file name ending in "/", and whatever
 * the core's key rules refuse for `keyPrefix + path` (control characters, empty or `.` segments,
 * over 1024 bytes) — `InvalidArgument` or `InvalidKey`, both 400.
 */
export function entryPath(name: string, kind: 'file' | 'folder', keyPrefix = ''): string | null {
  let path = name
  while (path.startsWith('./')) path = path.slice(2)
  if (path === '' || path === '.') {
    if (kind === 'folder') return null
    throw unsafe(name, 'has no file name')
  }
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw unsafe(name, 'has an absolute path')
  if (path.includes('\\')) throw unsafe(name, 'has a backslash in its path')
  if (path.split('/').includes('..')) throw unsafe(name, 'has a ".." segment that leaves the archive')
  if (path.endsWith('/')) {
    if (kind === 'file') throw unsafe(name, 'is a file whose name ends with "/"')
    path = path.slice(0, -1)
  }
  const key = normalizeKey(keyPrefix + path)
  return key.slice(keyPrefix.length)
}

/**
 * The names an archive has used so far. Refuses a second entry of the same name (the last one would
 * silently win in some unpackers, the first in others: a reviewer of the archive and the server
 * would disagree about what was deployed) and a name used both as a file and as a folder, which
 * no file system can store.
 */
export class ArchiveNames {
  readonly #files = new Set<string>()
  readonly #folders = new Set<string>()

  /** Records the file at `path` (as returned by `entryPath`), or throws `InvalidArgument`. */
  addFile(path: string): void {
    if (this.#files.has(path)) throw unsafe(path, 'appears twice in the archive')
    if (this.#folders.has(path)) throw unsafe(path, 'is both a file and a folder')
    this.#addParents(path)
    this.#files.add(path)
  }

  /** Records the folder at `path`; folders may be listed more than once. */
  addFolder(path: string): void {
    if (this.#files.has(path)) throw unsafe(path, 'is both a file and a folder')
    this.#addParents(path)
    this.#folders.add(path)
  }

  #addParents(path: string): void {
    for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
      const parent = path.slice(0, slash)
      if (this.#files.has(parent)) throw unsafe(parent, 'is both a file and a folder')
      this.#folders.add(parent)
    }
  }
}
