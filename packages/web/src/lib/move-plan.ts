import { baseName } from './format.ts'

/** One entry to move: an object key or a folder (`…/`), and where it goes. */
export interface Move {
  from: string
  to: string
}

/**
 * Where each selected entry goes when moved into the folder `dest` (`''` is the bucket's root): the
 * same name there. Entries already in `dest` are left out (nothing to do). Throws a message for a
 * person when a folder would go into itself or one of its own subfolders.
 */
export function movesInto(keys: readonly string[], dest: string): Move[] {
  const moves: Move[] = []
  for (const from of keys) {
    const folder = from.endsWith('/')
    if (folder && dest.startsWith(from)) {
      throw new Error(`${baseName(from)} cannot be moved into itself; choose another folder.`)
    }
    const to = `${dest}${baseName(from)}${folder ? '/' : ''}`
    if (to !== from) moves.push({ from, to })
  }
  return moves
}
