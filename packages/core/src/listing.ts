import type { Driver, ListHint, ListStart } from './driver.ts'
import { StorageError } from './errors.ts'
import { normalizePrefix } from './keys.ts'
import type { ListOptions, ListResult } from './types.ts'

export const MAX_LIST_LIMIT = 1000

interface CursorState {
  /** The last key or common prefix returned. */
  after: string
  /** True when `after` is a common prefix: everything under it was folded into it. */
  folded: boolean
}

/** A cursor is a position, not an offset: "after this key", so it survives inserts and deletes. */
export function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify([state.after, state.folded ? 1 : 0])).toString('base64url')
}

export function decodeCursor(cursor: string): CursorState {
  try {
    const [after, folded] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]
    if (typeof after === 'string' && after !== '' && (folded === 0 || folded === 1)) {
      return { after, folded: folded === 1 }
    }
  } catch {
    // fall through: any malformed cursor gets the same answer
  }
  throw new StorageError('InvalidArgument', 'the cursor is not one this service returned')
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return MAX_LIST_LIMIT
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new StorageError('InvalidArgument', `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`)
  }
  return limit
}

/**
 * One page of a listing, built on a driver's ordered key source. Keys that contain the delimiter
 * after the prefix fold into one common prefix each, as in S3's ListObjectsV2; prefixes count
 * towards `limit` as S3 counts them. The source is told to skip folded keys, so a folder with a
 * million objects costs one entry, not a million reads.
 */
export async function listPage(driver: Driver, options: ListOptions): Promise<ListResult> {
  const prefix = normalizePrefix(options.prefix)
  const limit = checkLimit(options.limit)
  const delimiter = options.delimiter === '' ? undefined : options.delimiter
  const position = options.cursor === undefined ? undefined : decodeCursor(options.cursor)
  const start: ListStart = { prefix }
  if (position) Object.assign(start, { after: position.after, afterIsPrefix: position.folded })
  const hint: ListHint = {}
  const result: ListResult = { objects: [], prefixes: [] }
  let last: CursorState | undefined
  const signal = options.signal === undefined ? {} : { signal: options.signal }

  for await (const object of driver.list(start, hint, signal)) {
    options.signal?.throwIfAborted()
    if (hint.skipPrefix !== undefined && object.key.startsWith(hint.skipPrefix)) continue
    const cut = delimiter === undefined ? -1 : object.key.indexOf(delimiter, prefix.length)
    if (result.objects.length + result.prefixes.length === limit) {
      if (last) result.cursor = encodeCursor(last)
      break
    }
    if (cut >= 0 && delimiter !== undefined) {
      const folded = object.key.slice(0, cut + delimiter.length)
      result.prefixes.push(folded)
      hint.skipPrefix = folded
      last = { after: folded, folded: true }
    } else {
      result.objects.push(object)
      last = { after: object.key, folded: false }
    }
  }
  return result
}
