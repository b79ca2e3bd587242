// The ARIA grid pattern with aria-activedescendant (APG): the grid takes focus and keys, its rows and
// cells are not focusable on purpose, and <table> elements cannot be absolutely positioned rows.
// biome-ignore-all lint/a11y/useSemanticElements: virtualised rows are divs with grid roles
// biome-ignore-all lint/a11y/useFocusableInteractive: focus stays on the grid (aria-activedescendant)
import { useVirtualizer } from '@tanstack/react-virtual'
import { type KeyboardEvent, useEffect, useId, useRef } from 'react'
import type { SortField } from '../api/types.ts'
import { formatBytes, formatDate } from '../lib/format.ts'
import type { Entry, ViewOptions } from '../lib/listing.ts'
import { typeOf } from '../lib/listing.ts'

const ROW_HEIGHT = 44
/** The sticky header row above the rows, inside the scrolling grid. */
const HEAD_HEIGHT = 38

/** The kind of an entry, for its icon's shape and colour. */
function kindOf(entry: Entry): string {
  if (entry.kind === 'folder') return 'folder'
  const type = typeOf(entry.object)
  if (type.startsWith('image/')) return 'image'
  if (type.startsWith('video/') || type.startsWith('audio/')) return 'media'
  if (type === 'application/pdf') return 'pdf'
  if (type.startsWith('text/') || type.endsWith('json')) return 'text'
  return 'file'
}

/** A small inline icon (SVG, so it needs no font or request). */
function Icon(props: { kind: string }) {
  const path =
    props.kind === 'folder'
      ? 'M2 4.5A1.5 1.5 0 0 1 3.5 3h3l1.5 1.5h4.5A1.5 1.5 0 0 1 14 6v5.5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 11.5z'
      : 'M4 1.5h5l3.5 3.5v9a.5.5 0 0 1-.5.5H4a.5.5 0 0 1-.5-.5V2a.5.5 0 0 1 .5-.5zM9 1.5V5h3.5'
  return (
    <svg className={`icon icon-${props.kind}`} viewBox="0 0 16 16" width="18" height="18" aria-hidden="true">
      <path d={path} />
    </svg>
  )
}

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
}

function SortHeader(props: {
  field: SortField
  label: string
  view: ViewOptions
  onSort: (f: SortField) => void
}) {
  const sorted = props.view.sort === props.field
  const ariaSort = sorted ? (props.view.order === 'asc' ? 'ascending' : 'descending') : 'none'
  return (
    <div role="columnheader" aria-sort={ariaSort} className={`cell col-${props.field}`}>
      <button type="button" className="sort" onClick={() => props.onSort(props.field)}>
        {props.label}
        <span aria-hidden="true">{sorted ? (props.view.order === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </div>
  )
}

/**
 * The rows of a folder, virtualised: only the rows in view (and a few around) are in the DOM, so a
 * folder of 10,000 objects scrolls as smoothly as one of ten. A grid with one active row
 * (`aria-activedescendant`): arrows move, Space selects (Shift: a range), Enter opens, Delete deletes,
 * Ctrl/Cmd+A selects all.
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

  const onKeyDown = (event: KeyboardEvent) => {
    const move = (to: number) => {
      event.preventDefault()
      props.onActive(Math.max(0, Math.min(entries.length - 1, to)))
    }
    const current = entries[active]
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 440) / ROW_HEIGHT) - 1)
    switch (event.key) {
      case 'ArrowDown':
        return move(active + 1)
      case 'ArrowUp':
        return move(active - 1)
      case 'PageDown':
        return move(active + page)
      case 'PageUp':
        return move(active - page)
      case 'Home':
        return move(0)
      case 'End':
        return move(entries.length - 1)
      case ' ':
        event.preventDefault()
        if (current) props.onToggle(active, event.shiftKey)
        return
      case 'Enter':
        if (current) props.onOpen(current)
        return
      case 'Delete':
        if (selected.size > 0) props.onDelete()
        return
      case 'a':
        if (event.ctrlKey || event.metaKey) {
          event.preventDefault()
          props.onSelectAll(true)
        }
        return
    }
  }
  const allSelected = entries.length > 0 && selected.size === entries.length
  const rowId = (index: number) => `${id}-row-${index}`
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
        onKeyDown={onKeyDown}
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
            const isSelected = selected.has(entry.key)
            return (
              // biome-ignore lint/a11y/useKeyWithClickEvents: the grid handles the keys for its rows
              <div
                key={entry.key}
                id={rowId(item.index)}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={isSelected}
                className={`row${isSelected ? ' selected' : ''}${item.index === active ? ' active' : ''}`}
                style={{ transform: `translateY(${item.start - HEAD_HEIGHT}px)` }}
                onClick={(event) => {
                  props.onActive(item.index)
                  if (event.shiftKey || event.ctrlKey || event.metaKey)
                    props.onToggle(item.index, event.shiftKey)
                }}
                onDoubleClick={() => props.onOpen(entry)}
              >
                <div role="gridcell" className="cell col-check">
                  <input
                    type="checkbox"
                    tabIndex={-1}
                    aria-label={`Select ${entry.name}`}
                    checked={isSelected}
                    onClick={(event) => event.stopPropagation()}
                    onChange={(event) => {
                      props.onActive(item.index)
                      props.onToggle(item.index, (event.nativeEvent as MouseEvent).shiftKey === true)
                    }}
                  />
                </div>
                <div role="gridcell" className="cell col-name">
                  <Icon kind={kindOf(entry)} />
                  <button
                    type="button"
                    className="link"
                    tabIndex={-1}
                    onClick={(event) => {
                      event.stopPropagation()
                      props.onActive(item.index)
                      props.onOpen(entry)
                    }}
                  >
                    {entry.kind === 'folder' ? `${entry.name}/` : entry.name}
                  </button>
                </div>
                <div role="gridcell" className="cell col-size">
                  {entry.kind === 'object' ? formatBytes(entry.object.size) : ''}
                </div>
                <div role="gridcell" className="cell col-modified">
                  {entry.kind === 'object' ? formatDate(entry.object.lastModified) : ''}
                </div>
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}
