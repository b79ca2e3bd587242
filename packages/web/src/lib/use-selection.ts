import { useCallback, useEffect, useState } from 'react'
import type { Entry } from './listing.ts'

/** The selected rows of a folder and its active row (the grid's cursor). */
export interface Selection {
  selected: ReadonlySet<string>
  active: number
  setActive: (index: number) => void
  /** Toggles a row; with `range`, selects from the active row to it. */
  toggle: (index: number, range: boolean) => void
  selectAll: (all: boolean) => void
  clear: () => void
}

/** Selection over the rows shown; a new folder (`folderKey` changes) starts with nothing selected. */
export function useSelection(entries: readonly Entry[], folderKey: string): Selection {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  const [active, setActive] = useState(-1)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the folder is the trigger
  useEffect(() => {
    setSelected(new Set())
    setActive(-1)
  }, [folderKey])
  const toggle = useCallback(
    (index: number, range: boolean) => {
      const entry = entries[index]
      if (!entry) return
      const next = new Set(selected)
      if (range && active >= 0) {
        const [from, to] = active < index ? [active, index] : [index, active]
        for (const e of entries.slice(from, to + 1)) next.add(e.key)
      } else if (next.has(entry.key)) next.delete(entry.key)
      else next.add(entry.key)
      setSelected(next)
    },
    [entries, selected, active],
  )
  const selectAll = useCallback(
    (all: boolean) => setSelected(new Set(all ? entries.map((e) => e.key) : [])),
    [entries],
  )
  const clear = useCallback(() => setSelected(new Set()), [])
  return { selected, active, setActive, toggle, selectAll, clear }
}
