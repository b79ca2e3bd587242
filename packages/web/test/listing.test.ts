import { describe, expect, it } from 'vitest'
import type { ObjectSummary } from '../src/api/types.ts'
import { parseBytes } from '../src/lib/format.ts'
import { crumbsOf, entriesOf, typeMatches, typeOf, type ViewOptions } from '../src/lib/listing.ts'
import { renameTarget } from '../src/lib/object-actions.ts'
import { pathOf, routeOf } from '../src/lib/router.ts'

const object = (key: string, size: number, lastModified: string): ObjectSummary => ({
  key,
  size,
  etag: '"e"',
  lastModified,
})
const OBJECTS = [
  object('docs/', 0, '2024-01-01T00:00:00Z'),
  object('docs/file10.txt', 30, '2024-03-01T00:00:00Z'),
  object('docs/file2.txt', 10, '2024-01-02T00:00:00Z'),
  object('docs/Photo.PNG', 20, '2024-02-01T00:00:00Z'),
]
const view = (patch: Partial<ViewOptions> = {}): ViewOptions => ({
  sort: 'name',
  order: 'asc',
  q: '',
  type: '',
  ...patch,
})
const names = (v: ViewOptions) => entriesOf('docs/', ['docs/b/', 'docs/a/'], OBJECTS, v).map((e) => e.name)

describe('the rows of a folder', () => {
  it('lists folders first, then objects in natural order, without the folder marker', () => {
    expect(names(view())).toEqual(['a', 'b', 'file2.txt', 'file10.txt', 'Photo.PNG'])
    expect(names(view({ order: 'desc' }))).toEqual(['b', 'a', 'Photo.PNG', 'file10.txt', 'file2.txt'])
  })

  it('folds keys below the folder into subfolders where the server did not', () => {
    const flat = [
      ...OBJECTS,
      object('docs/a/deep.txt', 1, '2024-01-01T00:00:00Z'),
      object('docs/c/d/e', 1, '2024-01-01T00:00:00Z'),
    ]
    const rows = entriesOf('docs/', ['docs/a/'], flat, view()).map((e) => e.key)
    expect(rows).toEqual(['docs/a/', 'docs/c/', 'docs/file2.txt', 'docs/file10.txt', 'docs/Photo.PNG'])
  })

  it('sorts objects by size and by date', () => {
    expect(names(view({ sort: 'size' })).slice(2)).toEqual(['file2.txt', 'Photo.PNG', 'file10.txt'])
    expect(names(view({ sort: 'modified', order: 'desc' })).slice(2)).toEqual([
      'file10.txt',
      'Photo.PNG',
      'file2.txt',
    ])
  })

  it('filters by a case-insensitive substring and by type (folders hidden under a type filter)', () => {
    expect(names(view({ q: 'FILE' }))).toEqual(['file2.txt', 'file10.txt'])
    expect(names(view({ q: 'a' }))).toEqual(['a'])
    expect(names(view({ type: 'image/*' }))).toEqual(['Photo.PNG'])
    expect(names(view({ type: 'text/plain' }))).toEqual(['file2.txt', 'file10.txt'])
  })

  it('guesses types from extensions unless the server sent one', () => {
    expect(typeOf({ key: 'a/b.JPG' })).toBe('image/jpeg')
    expect(typeOf({ key: 'noext' })).toBe('application/octet-stream')
    expect(typeOf({ key: 'docs/png' })).toBe('application/octet-stream')
    expect(typeOf({ key: 'v.1/clip.webm' })).toBe('video/webm')
    expect(typeOf({ key: 'notes.md' })).toBe('text/markdown')
    expect(typeOf({ key: 'x.bin', contentType: 'video/mp4' })).toBe('video/mp4')
    expect(typeMatches('image/png; q=1', 'image/*')).toBe(true)
    expect(typeMatches('application/pdf', 'image/*')).toBe(false)
    expect(typeMatches('anything/at-all', '')).toBe(true)
  })
})

describe('paths and names', () => {
  it('makes breadcrumbs of a prefix', () => {
    expect(crumbsOf('')).toEqual([])
    expect(crumbsOf('a/b c/')).toEqual([
      { name: 'a', prefix: 'a/' },
      { name: 'b c', prefix: 'a/b c/' },
    ])
  })

  it('routes /b/<bucket>/<prefix> both ways, percent-encoded', () => {
    const route = { page: 'browse', bucket: 'docs', prefix: 'a b/ü?/' } as const
    expect(pathOf(route)).toBe('/b/docs/a%20b/%C3%BC%3F/')
    expect(routeOf(pathOf(route))).toEqual(route)
    expect(routeOf('/')).toEqual({ page: 'buckets' })
    expect(routeOf('/b/')).toEqual({ page: 'buckets' })
  })

  it('renames within the folder, or moves with a path', () => {
    expect(renameTarget('a/b/c.txt', 'd.txt')).toBe('a/b/d.txt')
    expect(renameTarget('a/b/c.txt', 'x/y.txt')).toBe('x/y.txt')
    expect(renameTarget('a/b/c.txt', '/top.txt')).toBe('top.txt')
    expect(renameTarget('a/b/', 'c')).toBe('a/c/')
    expect(renameTarget('top/', 'new/')).toBe('new/')
  })

  it('reads sizes people type', () => {
    expect(parseBytes('1 KB')).toBe(1024)
    expect(parseBytes('5MiB')).toBe(5 * 1024 * 1024)
    expect(parseBytes('1.5g')).toBe(1.5 * 1024 ** 3)
    expect(parseBytes('200')).toBe(200)
    expect(parseBytes('lots')).toBeUndefined()
  })
})
