import mime from 'mime/lite'
import type { ObjectSummary, SortField, SortOrder } from '../api/types.ts'
import { baseName } from './format.ts'

/** A row of the browser: a folder (common prefix) or an object. */
export type Entry =
  | { kind: 'folder'; key: string; name: string }
  | { kind: 'object'; key: string; name: string; object: ObjectSummary }

/** What the person asked to see. */
export interface ViewOptions {
  sort: SortField
  order: SortOrder
  q: string
  /** A media type or wildcard (`image/*`); empty for every type. */
  type: string
  /** Search names through the whole bucket (as far as the credential may list), not this folder. */
  everywhere?: boolean
}

/**
 * The type a listed object most likely has: the server's when it sent one, else from the extension
 * (mime's standard table, the same the server uses, in its small `lite` build).
 */
export function typeOf(object: Pick<ObjectSummary, 'key' | 'contentType'>): string {
  if (object.contentType) return object.contentType
  const name = baseName(object.key)
  const dot = name.lastIndexOf('.')
  // getType would take a bare `png` for an extension: a name without a dot has no type.
  return (dot === -1 ? null : mime.getType(name.slice(dot + 1))) ?? 'application/octet-stream'
}

/** Whether a media type matches a pattern: exact, `image/*`, or `*` / empty. */
export function typeMatches(type: string, pattern: string): boolean {
  if (pattern === '' || pattern === '*' || pattern === '*/*') return true
  const base = type.split(';')[0]?.trim().toLowerCase() ?? ''
  const want = pattern.toLowerCase()
  return want.endsWith('/*') ? base.startsWith(want.slice(0, -1)) : base === want
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

function compare(a: Entry, b: Entry, sort: SortField): number {
  if (sort === 'size' && a.kind === 'object' && b.kind === 'object') return a.object.size - b.object.size
  if (sort === 'modified' && a.kind === 'object' && b.kind === 'object') {
    return a.object.lastModified < b.object.lastModified
      ? -1
      : a.object.lastModified > b.object.lastModified
        ? 1
        : 0
  }
  return collator.compare(a.name, b.name)
}

/**
 * The rows to show for one folder: its subfolders first, then its objects, filtered by name and type
 * and sorted. The server does this too when it can; doing it again on what was loaded is harmless,
 * and it is the fallback where the server ignores the filters (or the delimiter: keys below the
 * folder become subfolders here). Folder markers (`name/`) are not rows.
 */
export function entriesOf(
  prefix: string,
  prefixes: readonly string[],
  objects: readonly ObjectSummary[],
  view: ViewOptions,
): Entry[] {
  const q = view.q.trim().toLowerCase()
  // A server that did not fold keys into folders (it ignored the delimiter) gives them here.
  const folderKeys = new Set(prefixes)
  for (const object of objects) {
    const slash = object.key.indexOf('/', prefix.length)
    if (slash !== -1 && slash < object.key.length - 1) folderKeys.add(object.key.slice(0, slash + 1))
  }
  const folders: Entry[] = view.type
    ? []
    : [...folderKeys]
        .map((key): Entry => ({ kind: 'folder', key, name: baseName(key) }))
        .filter((e) => q === '' || e.name.toLowerCase().includes(q))
  const files: Entry[] = []
  for (const object of objects) {
    if (object.key === prefix || object.key.endsWith('/')) continue
    if (object.key.indexOf('/', prefix.length) !== -1) continue
    const name = object.key.slice(prefix.length)
    if (q !== '' && !name.toLowerCase().includes(q)) continue
    if (view.type && !typeMatches(typeOf(object), view.type)) continue
    files.push({ kind: 'object', key: object.key, name, object })
  }
  const sign = view.order === 'desc' ? -1 : 1
  folders.sort((a, b) => sign * collator.compare(a.name, b.name))
  files.sort((a, b) => sign * compare(a, b, view.sort) || collator.compare(a.name, b.name))
  return [...folders, ...files]
}

/** The breadcrumbs of a prefix: `a/b/` → [{ name: 'a', prefix: 'a/' }, { name: 'b', prefix: 'a/b/' }]. */
export function crumbsOf(prefix: string): { name: string; prefix: string }[] {
  const parts = prefix.split('/').filter((p) => p !== '')
  return parts.map((name, i) => ({ name, prefix: `${parts.slice(0, i + 1).join('/')}/` }))
}
