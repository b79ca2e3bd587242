// The ARIA grid pattern with aria-activedescendant (APG), laid out as tiles: the grid takes focus and
// keys; its cells (the tiles) carry the selection and are not focusable on purpose.
// biome-ignore-all lint/a11y/useSemanticElements: virtualised rows are divs with grid roles
// biome-ignore-all lint/a11y/useFocusableInteractive: focus stays on the grid (aria-activedescendant)
import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useId, useRef, useState } from 'react'
import { onGridKey } from '../lib/grid-keys.ts'
import type { ThumbnailOf } from '../lib/use-thumbnails.ts'
import type { ObjectListProps } from './object-list.tsx'
import { ObjectTile } from './object-tile.tsx'

/** A tile's width with its gap (CSS pixels); the grid fits as many columns as its width holds. */
const TILE_WIDTH = 184
/** A row of tiles with its gap. */
const ROW_HEIGHT = 230
/** The grid's inner padding, left and right together. */
const PADDING = 24

/** The width of an element, followed as it changes. */
function useWidth(element: React.RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0)
  useEffect(() => {
    const target = element.current
    if (!target) return
    setWidth(target.clientWidth)
    const observer = new ResizeObserver(() => setWidth(target.clientWidth))
    observer.observe(target)
    return () => observer.disconnect()
  }, [element])
  return width
}

/**
 * A folder's entries as tiles with thumbnails, virtualised by rows of tiles. The same grid as the
 * list for keyboards and screen readers: one active cell (`aria-activedescendant`), arrows move it
 * (up and down by a row of tiles), Space selects, Enter opens, Delete deletes (grid-keys.ts).
 */
export function ObjectGrid(props: ObjectListProps & { thumbnail: ThumbnailOf }) {
  const { entries, selected, active } = props
  const scroller = useRef<HTMLDivElement>(null)
  const id = useId()
  const width = useWidth(scroller)
  const columns = Math.max(1, Math.floor((width - PADDING) / TILE_WIDTH))
  const rows = Math.ceil(entries.length / columns)
  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 2,
  })
  useEffect(() => {
    if (active >= 0 && active < entries.length) virtualizer.scrollToIndex(Math.floor(active / columns))
  }, [active, entries.length, columns, virtualizer])

  const cellId = (index: number) => `${id}-cell-${index}`
  const pageRows = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 660) / ROW_HEIGHT))
  return (
    <div className="object-list object-grid">
      <div
        ref={scroller}
        className="rows tiles"
        role="grid"
        aria-label="Folder contents"
        aria-multiselectable="true"
        aria-rowcount={rows}
        aria-colcount={columns}
        tabIndex={0}
        aria-activedescendant={active >= 0 && active < entries.length ? cellId(active) : undefined}
        onKeyDown={(event) =>
          onGridKey(event, { ...props, selectedCount: selected.size, page: pageRows * columns, columns })
        }
        onFocus={() => {
          if (active < 0 && entries.length > 0) props.onActive(0)
        }}
      >
        <div className="rows-inner" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => (
            <div
              key={item.index}
              role="row"
              aria-rowindex={item.index + 1}
              className="tile-row"
              style={{
                transform: `translateY(${item.start}px)`,
                gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
              }}
            >
              {entries.slice(item.index * columns, (item.index + 1) * columns).map((entry, column) => {
                const index = item.index * columns + column
                return (
                  <ObjectTile
                    key={entry.key}
                    id={cellId(index)}
                    index={index}
                    column={column}
                    entry={entry}
                    thumbnail={entry.kind === 'object' ? props.thumbnail(entry.object) : undefined}
                    selected={selected.has(entry.key)}
                    active={index === active}
                    on={props}
                  />
                )
              })}
            </div>
          ))}
        </div>
      </div>
    </div>
  )
}
