import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { ListHint, ListStart } from '../../driver.ts'
import { compareKeys } from '../../keys.ts'
import { isErrno } from './fs-errors.ts'
import { classify, decodeSegment, type Layout } from './layout.ts'
import type { RootGuard } from './root-guard.ts'

interface Entry {
  /** For an object, its key; for a directory, the key prefix it holds (ending with "/"). */
  fragment: string
  kind: 'object' | 'dir'
  path: string
}

async function entriesOf(dir: string, dirKey: string): Promise<Entry[]> {
  let dirents: import('node:fs').Dirent[]
  try {
    dirents = await readdir(dir, { withFileTypes: true })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // Removed while we walked, or a prefix no key can have (a segment over NAME_MAX): nothing there.
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return []
    throw error
  }
  const entries: Entry[] = []
  for (const dirent of dirents) {
    const kind = classify(dirent.name, dirent.isFile(), dirent.isDirectory())
    if (kind === 'other') continue
    const segment = decodeSegment(kind === 'object' ? dirent.name.slice(0, -1) : dirent.name)
    const fragment = kind === 'object' ? dirKey + segment : `${dirKey}${segment}/`
    entries.push({ fragment, kind, path: join(dir, dirent.name) })
  }
  // Sorting each directory's entries by the key fragment they stand for yields the whole tree in key
  // order: a directory "a/" holds exactly the keys that start with "a/", and "/" sorts like any byte.
  return entries.sort((x, y) => compareKeys(x.fragment, y.fragment))
}

/** Whether a key comes after the listing's start position. */
function isAfter(key: string, start: ListStart): boolean {
  if (start.after === undefined) return true
  if (start.afterIsPrefix && key.startsWith(start.after)) return false
  return compareKeys(key, start.after) > 0
}

/** Whether every key in the directory holding `dirKey` comes before the start position. */
function isBefore(dirKey: string, start: ListStart): boolean {
  if (start.after === undefined) return false
  if (start.afterIsPrefix && dirKey.startsWith(start.after)) return true
  if (start.after.startsWith(dirKey)) return false
  return compareKeys(dirKey, start.after) < 0
}

/**
 * Walks the objects tree in ascending key order from a listing's start position, yielding each
 * object's key and file. Only the directories that can hold matching keys are read; a directory
 * whose keys the paginator has folded into a common prefix (`hint.skipPrefix`) is not entered.
 */
export async function* walk(
  layout: Layout,
  guard: RootGuard,
  start: ListStart,
  hint: ListHint,
): AsyncGenerator<Entry> {
  const baseKey = start.prefix.slice(0, start.prefix.lastIndexOf('/') + 1)
  const dir = layout.dirOf(baseKey)
  // The walk below never enters a link (readdir's types tell links apart); its start must not be one.
  try {
    await guard.checkDir(dir)
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP')) return
    throw error
  }
  yield* walkDir(dir, baseKey, start, hint)
}

async function* walkDir(
  dir: string,
  dirKey: string,
  start: ListStart,
  hint: ListHint,
): AsyncGenerator<Entry> {
  const { prefix } = start
  for (const entry of await entriesOf(dir, dirKey)) {
    const key = entry.fragment
    const skipped = hint.skipPrefix !== undefined && key.startsWith(hint.skipPrefix)
    if (skipped) continue
    if (entry.kind === 'object') {
      if (key.startsWith(prefix) && isAfter(key, start)) yield entry
    } else if ((key.startsWith(prefix) || prefix.startsWith(key)) && !isBefore(key, start)) {
      yield* walkDir(entry.path, key, start, hint)
    }
  }
}
