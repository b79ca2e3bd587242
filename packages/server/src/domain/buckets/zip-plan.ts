import { type NormalizedKey, normalizeKey, StorageError } from '@coffer/core'
import type { ObjectCatalog } from '../../catalog/object-catalog.ts'
import type { ZipSelection } from './zip-links.ts'

/** One file of an archive: the object, its name inside the archive, and what the index knows. */
export interface ZipEntry {
  key: NormalizedKey
  name: string
  size: number
  modified: Date
  contentType: string
}

/** How much one archive may hold; a larger selection is refused before a byte is sent. */
export interface ZipLimits {
  entries: number
  bytes: number
}

/** 10,000 files and 4 GiB: what a person downloads at once; zip64 would allow more, patience not. */
export const ZIP_LIMITS: ZipLimits = { entries: 10_000, bytes: 4 * 1024 ** 3 }

/**
 * A key's name in an archive: below `base` when it is there, with `\` (a separator to Windows tools)
 * and a drive-like start (`C:`) made plain, so that no extractor writes outside its folder. Keys have
 * no `..` segment and no leading `/` (the key rules refuse them).
 */
export function zipName(key: string, base: string): string {
  const name = key.startsWith(base) && key.length > base.length ? key.slice(base.length) : key
  return name.replace(/\\/g, '_').replace(/^([a-zA-Z]):/, '$1_')
}

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`

/**
 * The files a selection holds, from the index: each selected object, and every object under each
 * selected folder (folder markers are not files). A key selected twice (itself and its folder) is
 * one entry. Throws `NotFound` for a selected object that is gone, `TooLarge` past the limits.
 */
export async function planZip(
  catalog: ObjectCatalog,
  bucket: string,
  selection: ZipSelection,
  limits: ZipLimits = ZIP_LIMITS,
): Promise<ZipEntry[]> {
  const entries = new Map<string, ZipEntry>()
  let bytes = 0
  const add = (object: { key: string; size: number; lastModified: Date; contentType: string }) => {
    if (object.key.endsWith('/') || entries.has(object.key)) return
    bytes += object.size
    if (entries.size + 1 > limits.entries)
      throw new StorageError(
        'TooLarge',
        `this selection has over ${limits.entries.toLocaleString('en')} files; zip fewer at a time`,
      )
    if (bytes > limits.bytes)
      throw new StorageError(
        'TooLarge',
        `this selection is over ${gib(limits.bytes)}; zip fewer files at a time`,
      )
    const key = normalizeKey(object.key)
    entries.set(key, {
      key,
      name: zipName(key, selection.base),
      size: object.size,
      modified: object.lastModified,
      contentType: object.contentType,
    })
  }
  for (const selected of selection.keys) {
    const folder = selected.endsWith('/')
    let cursor: string | undefined
    do {
      const page = await catalog.listing.list(bucket, {
        prefix: selected,
        limit: folder ? 1000 : 1,
        ...(cursor ? { cursor } : {}),
      })
      if (!folder) {
        // The shortest key with this prefix sorts first: the object itself, when it exists.
        const found = page.objects[0]
        if (found?.key !== selected) throw new StorageError('NotFound', `${selected} no longer exists`)
        add(found)
        break
      }
      for (const object of page.objects) add(object)
      cursor = page.cursor
    } while (cursor !== undefined)
  }
  return [...entries.values()]
}
