import { useCallback, useEffect, useState } from 'react'
import type { Entry } from './listing.ts'
import { typeOf } from './listing.ts'

/** How a folder's entries are shown: rows with columns, or tiles with thumbnails. */
export type Layout = 'list' | 'grid'

/** Where the layouts chosen by hand are remembered, per folder (`bucket/prefix`). */
const STORAGE_KEY = 'coffer.layouts'
/** Folders remembered at most; the oldest choices go first. */
const REMEMBERED = 200

function remembered(storage: Storage): Record<string, Layout> {
  try {
    const value: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? '{}')
    return value !== null && typeof value === 'object' ? (value as Record<string, Layout>) : {}
  } catch {
    return {}
  }
}

/** Remembers `layout` for `folder`, newest last, within REMEMBERED folders. */
export function rememberLayout(folder: string, layout: Layout, storage: Storage = localStorage): void {
  const all = remembered(storage)
  delete all[folder]
  all[folder] = layout
  const kept = Object.entries(all).slice(-REMEMBERED)
  try {
    storage.setItem(STORAGE_KEY, JSON.stringify(Object.fromEntries(kept)))
  } catch {
    // A full or refused storage only means the choice is not remembered.
  }
}

/** The layout chosen by hand for `folder`, if any. */
export function rememberedLayout(folder: string, storage: Storage = localStorage): Layout | undefined {
  const layout = remembered(storage)[folder]
  return layout === 'list' || layout === 'grid' ? layout : undefined
}

/** Whether more than half of a folder's objects are images (folders do not count). */
export function mostlyImages(entries: readonly Entry[]): boolean {
  let objects = 0
  let images = 0
  for (const entry of entries) {
    if (entry.kind !== 'object') continue
    objects++
    if (typeOf(entry.object).startsWith('image/')) images++
  }
  return objects > 0 && images * 2 > objects
}

/**
 * A folder's layout: the one last chosen there, else the grid for a folder that is mostly images
 * (where the bucket makes thumbnails) and the list for the rest. A choice is remembered per folder.
 */
export function useLayout(
  folder: string,
  entries: readonly Entry[],
  thumbnails: boolean,
): [Layout, (layout: Layout) => void] {
  const [chosen, setChosen] = useState<Layout | undefined>(() => rememberedLayout(folder))
  useEffect(() => setChosen(rememberedLayout(folder)), [folder])
  const choose = useCallback(
    (layout: Layout) => {
      rememberLayout(folder, layout)
      setChosen(layout)
    },
    [folder],
  )
  return [chosen ?? (thumbnails && mostlyImages(entries) ? 'grid' : 'list'), choose]
}
