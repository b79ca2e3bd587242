import type { KeyboardEvent } from 'react'
import type { Entry } from './listing.ts'

/** What the folder grid's keys act on. */
export interface GridKeyTarget {
  entries: readonly Entry[]
  active: number
  selectedCount: number
  /** Rows in one page of the grid's view (PageUp, PageDown). */
  page: number
  onActive: (index: number) => void
  onToggle: (index: number, range: boolean) => void
  onSelectAll: (all: boolean) => void
  onOpen: (entry: Entry) => void
  onDelete: () => void
}

/**
 * The grid's keys (ARIA APG grid): arrows, PageUp/PageDown, Home/End move the active row; Space
 * selects it (Shift: a range); Enter opens; Delete deletes the selection; Ctrl/Cmd+A selects all.
 */
export function onGridKey(event: KeyboardEvent, t: GridKeyTarget) {
  const move = (to: number) => {
    event.preventDefault()
    t.onActive(Math.max(0, Math.min(t.entries.length - 1, to)))
  }
  const current = t.entries[t.active]
  switch (event.key) {
    case 'ArrowDown':
      return move(t.active + 1)
    case 'ArrowUp':
      return move(t.active - 1)
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
