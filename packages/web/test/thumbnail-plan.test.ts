import type { KeyboardEvent } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { publicRenderUrl } from '../src/api/render-urls.ts'
import type { Bucket, ObjectSummary } from '../src/api/types.ts'
import { type GridKeyTarget, onGridKey } from '../src/lib/grid-keys.ts'
import type { Entry } from '../src/lib/listing.ts'
import { pickVariant, renderable, renderLinksOf, thumbnailPlan } from '../src/lib/thumbnail-plan.ts'
import { mostlyImages, rememberedLayout, rememberLayout } from '../src/lib/use-layout.ts'

const bucket = (policy: Partial<Bucket>): Bucket => ({
  name: 'b',
  public: false,
  createdAt: '',
  updatedAt: '',
  ...policy,
})
const object = (key: string, contentType?: string): ObjectSummary => ({
  key,
  size: 1,
  etag: '"e1"',
  lastModified: '2026-01-01T00:00:00Z',
  ...(contentType ? { contentType } : {}),
})
const entry = (key: string): Entry => ({ kind: 'object', key, name: key, object: object(key) })

/** A Storage in memory, as localStorage behaves. */
function memoryStorage(): Storage {
  const data = new Map<string, string>()
  return {
    get length() {
      return data.size
    },
    clear: () => data.clear(),
    getItem: (k) => data.get(k) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (k) => void data.delete(k),
    setItem: (k, v) => void data.set(k, v),
  }
}

describe('how thumbnails are asked for', () => {
  it('follows the bucket: a public render URL, a sealed transform, or none', () => {
    expect(thumbnailPlan(bucket({ public: true }), 1)).toEqual({
      kind: 'public',
      query: 'w=160&h=160&fit=cover',
    })
    expect(thumbnailPlan(bucket({}), 2)).toEqual({ kind: 'signed', transform: 'w=160,h=160,fit=cover,dpr=2' })
    expect(thumbnailPlan(bucket({ public: true, renders: 'none' }), 1)).toEqual({ kind: 'none' })
    expect(thumbnailPlan(undefined, 1)).toEqual({ kind: 'none' })
    // Only variants for anonymous callers: the nearest variant; none at all, no thumbnails.
    const avatars = { thumb: 'w=64,h=64', small: 'w=128,h=128', medium: 'w=256,h=256', large: 'w=512,h=512' }
    expect(thumbnailPlan(bucket({ public: true, renders: 'variants', variants: avatars }), 1)).toEqual({
      kind: 'public',
      query: 'variant=medium',
    })
    expect(thumbnailPlan(bucket({ renders: 'variants', variants: avatars }), 3)).toEqual({
      kind: 'signed',
      transform: 'w=512,h=512',
    })
    expect(thumbnailPlan(bucket({ public: true, renders: 'variants' }), 1)).toEqual({ kind: 'none' })
  })

  it('picks the smallest variant large enough, else the largest sized one', () => {
    const variants = { tiny: 'w=32,h=32', hd: 'w=200,dpr=2', wide: 'w=300,h=100', original: 'format=webp' }
    expect(pickVariant(variants, 90)).toBe('wide')
    expect(pickVariant(variants, 350)).toBe('hd')
    expect(pickVariant(variants, 1000)).toBe('hd')
    expect(pickVariant({ original: 'format=webp' }, 100)).toBe('original')
    expect(pickVariant(undefined, 100)).toBeUndefined()
  })

  it('renders raster types only, SVG where the bucket allows it', () => {
    const b = bucket({})
    expect(renderable(object('a.JPG'), b)).toBe(true)
    expect(renderable(object('a', 'image/png; charset=x'), b)).toBe(true)
    expect(renderable(object('a.svg'), b)).toBe(false)
    expect(renderable(object('a.svg'), bucket({ allowSvg: true }))).toBe(true)
    expect(renderable(object('a.txt'), b)).toBe(false)
  })

  it('links the variants, and widths where any render may be asked for', () => {
    const variants = { thumb: 'w=64,h=64' }
    expect(renderLinksOf(bucket({ variants })).map((l) => [l.label, l.note, l.query])).toEqual([
      ['thumb', '64×64', 'variant=thumb'],
      ['320 px wide', 'height to scale', 'w=320'],
      ['640 px wide', 'height to scale', 'w=640'],
      ['1280 px wide', 'height to scale', 'w=1280'],
    ])
    expect(renderLinksOf(bucket({ variants, renders: 'variants' })).map((l) => l.label)).toEqual(['thumb'])
    expect(renderLinksOf(bucket({ variants, renders: 'none' }))).toEqual([])
  })

  it('builds public render URLs with each key segment encoded and the etag as the version', () => {
    expect(publicRenderUrl('pics', 'a b/c#1.png', 'variant=thumb', '"abc"', 'http://c')).toBe(
      'http://c/render/pics/a%20b/c%231.png?variant=thumb&v=abc',
    )
  })
})

describe('the folder layout', () => {
  it('is a grid by default when more than half of the objects are images', () => {
    const folder: Entry = { kind: 'folder', key: 'f/', name: 'f' }
    expect(mostlyImages([folder, entry('a.png'), entry('b.jpg'), entry('c.txt')])).toBe(true)
    expect(mostlyImages([entry('a.png'), entry('c.txt')])).toBe(false)
    expect(mostlyImages([folder])).toBe(false)
  })

  it('remembers a choice per folder, the newest 200 only', () => {
    const storage = memoryStorage()
    rememberLayout('b/one/', 'grid', storage)
    rememberLayout('b/two/', 'list', storage)
    expect([rememberedLayout('b/one/', storage), rememberedLayout('b/two/', storage)]).toEqual([
      'grid',
      'list',
    ])
    for (let i = 0; i < 200; i++) rememberLayout(`b/f${i}/`, 'grid', storage)
    expect(rememberedLayout('b/one/', storage)).toBeUndefined()
    storage.setItem('coffer.layouts', 'not json')
    expect(rememberedLayout('b/f1/', storage)).toBeUndefined()
  })
})

describe('grid keys laid out as tiles', () => {
  const press = (key: string, target: Partial<GridKeyTarget>) => {
    const onActive = vi.fn()
    const event = { key, preventDefault: () => undefined } as unknown as KeyboardEvent
    const entries = Array.from({ length: 10 }, (_, i) => entry(`${i}.png`))
    onGridKey(event, {
      entries,
      active: 4,
      selectedCount: 0,
      page: 8,
      onActive,
      onToggle: vi.fn(),
      onSelectAll: vi.fn(),
      onOpen: vi.fn(),
      onDelete: vi.fn(),
      ...target,
    })
    return onActive.mock.calls.map(([index]) => index)
  }
  it('moves by a row of tiles up and down, by one left and right, and not sideways in a list', () => {
    expect(press('ArrowDown', { columns: 4 })).toEqual([8])
    expect(press('ArrowUp', { columns: 4 })).toEqual([0])
    expect(press('ArrowRight', { columns: 4 })).toEqual([5])
    expect(press('ArrowLeft', { columns: 4 })).toEqual([3])
    expect(press('ArrowDown', { columns: 4, active: 8 })).toEqual([9])
    expect(press('ArrowDown', {})).toEqual([5])
    expect(press('ArrowRight', {})).toEqual([])
  })
})
