// The ARIA grid pattern with aria-activedescendant (APG): the grid takes focus and keys, its rows and
// cells are not focusable on purpose, and <table> elements cannot be absolutely positioned rows.
// biome-ignore-all lint/a11y/useSemanticElements: virtualised rows are divs with grid roles
// biome-ignore-all lint/a11y/useFocusableInteractive: focus stays on the grid (aria-activedescendant)
import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useId, useRef } from 'react'
import type { SortField } from '../api/types.ts'
import { onGridKey } from '../lib/grid-keys.ts'
import type { Entry, ViewOptions } from '../lib/listing.ts'
import type { ThumbnailOf } from '../lib/use-thumbnails.ts'
import { ObjectRow } from './object-row.tsx'
import { SortHeader } from './sort-header.tsx'

const ROW_HEIGHT = 44
/** The sticky header row above the rows, inside the scrolling grid. */
const HEAD_HEIGHT = 38

export interface ObjectListProps {
  entries: readonly Entry[]
  selected: ReadonlySet<string>
  active: number
  view: ViewOptions
  onActive: (index: number) => void
  /** Toggles a row; with `range`, selects from the active row to it (shift-click, shift-space). */
  onToggle: (index: number, range: boolean) => void
  onSelectAll: (all: boolean) => void
  onOpen: (entry: Entry) => void
  onSort: (field: SortField) => void
  onDelete: () => void
  /** Each object's thumbnail URL, shown small in place of its icon; icons only when absent. */
  thumbnail?: ThumbnailOf | undefined
}

/**
 * The rows of a folder, virtualised: only the rows in view (and a few around) are in the DOM, so a
 * folder of 10,000 objects scrolls as smoothly as one of ten. A grid with one active row
 * (`aria-activedescendant`); its keys are in grid-keys.ts.
 */
export function ObjectList(props: ObjectListProps) {
  const { entries, selected, active } = props
  const scroller = useRef<HTMLDivElement>(null)
  const id = useId()
  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    scrollMargin: HEAD_HEIGHT,
    scrollPaddingStart: HEAD_HEIGHT,
  })
  useEffect(() => {
    if (active >= 0 && active < entries.length) virtualizer.scrollToIndex(active, { align: 'auto' })
  }, [active, entries.length, virtualizer])

  const allSelected = entries.length > 0 && selected.size === entries.length
  const rowId = (index: number) => `${id}-row-${index}`
  const page = () => Math.max(1, Math.floor((scroller.current?.clientHeight ?? 440) / ROW_HEIGHT) - 1)
  return (
    <div className="object-list">
      <div
        ref={scroller}
        className="rows"
        role="grid"
        aria-label="Folder contents"
        aria-multiselectable="true"
        aria-rowcount={entries.length + 1}
        tabIndex={0}
        aria-activedescendant={active >= 0 && active < entries.length ? rowId(active) : undefined}
        onKeyDown={(event) => onGridKey(event, { ...props, selectedCount: selected.size, page: page() })}
        onFocus={() => {
          if (active < 0 && entries.length > 0) props.onActive(0)
        }}
      >
        <div role="row" className="row head" aria-rowindex={1}>
          <div role="columnheader" className="cell col-check">
            <input
              type="checkbox"
              aria-label="Select all"
              checked={allSelected}
              onChange={(e) => props.onSelectAll(e.target.checked)}
            />
          </div>
          <SortHeader field="name" label="Name" view={props.view} onSort={props.onSort} />
          <SortHeader field="size" label="Size" view={props.view} onSort={props.onSort} />
          <SortHeader field="modified" label="Modified" view={props.view} onSort={props.onSort} />
        </div>
        <div className="rows-inner" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const entry = entries[item.index]
            if (!entry) return null
            return (
              <ObjectRow
                key={entry.key}
                id={rowId(item.index)}
                index={item.index}
                entry={entry}
                thumbnail={entry.kind === 'object' ? props.thumbnail?.(entry.object) : undefined}
                selected={selected.has(entry.key)}
                active={item.index === active}
                style={{ transform: `translateY(${item.start - HEAD_HEIGHT}px)` }}
                on={props}
              />
            )
          })}
        </div>
      </div>
    </div>
  )
}
