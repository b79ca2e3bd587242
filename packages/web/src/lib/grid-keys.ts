import type { KeyboardEvent } from 'react'
import type { Entry } from './listing.ts'

/** What the folder grid's keys act on. */
export interface GridKeyTarget {
  entries: readonly Entry[]
  active: number
  selectedCount: number
  /** Entries in one page of the grid's view (PageUp, PageDown). */
  page: number
  /** Entries per row where they are laid out as tiles (ArrowLeft, ArrowRight); 1 or absent for a list. */
  columns?: number
  onActive: (index: number) => void
  onToggle: (index: number, range: boolean) => void
  onSelectAll: (all: boolean) => void
  onOpen: (entry: Entry) => void
  onDelete: () => void
}

/**
 * The grid's keys (ARIA APG grid): arrows, PageUp/PageDown, Home/End move the active row; Space
 * selects it (Shift: a range); Enter opens; Delete deletes the selection; Ctrl/Cmd+A selects all.
 * Laid out as tiles, Left and Right move by one entry and Up and Down by a row of tiles.
 */
export function onGridKey(event: KeyboardEvent, t: GridKeyTarget) {
  const columns = t.columns ?? 1
  const move = (to: number) => {
    event.preventDefault()
    t.onActive(Math.max(0, Math.min(t.entries.length - 1, to)))
  }
  const current = t.entries[t.active]
  switch (event.key) {
    case 'ArrowDown':
      return move(t.active + columns)
    case 'ArrowUp':
      return move(t.active - columns)
    case 'ArrowRight':
      return columns > 1 ? move(t.active + 1) : undefined
    case 'ArrowLeft':
      return columns > 1 ? move(t.active - 1) : undefined
    case 'PageDown':
      return move(t.active + t.page)
    case 'PageUp':
      return move(t.active - t.page)
    case 'Home':
      return move(0)
    case 'End':
      return move(t.entries.length - 1)
    case ' ':
      event.preventDefault()
      if (current) t.onToggle(t.active, event.shiftKey)
      return
    case 'Enter':
      if (current) t.onOpen(current)
      return
    case 'Delete':
      if (t.selectedCount > 0) t.onDelete()
      return
    case 'a':
      if (event.ctrlKey || event.metaKey) {
        event.preventDefault()
        t.onSelectAll(true)
      }
      return
  }
}
