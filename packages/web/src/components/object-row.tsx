// Rows of the ARIA grid (see object-list.tsx): divs with grid roles, never focused themselves.
// biome-ignore-all lint/a11y/useSemanticElements: virtualised rows are divs with grid roles
// biome-ignore-all lint/a11y/useFocusableInteractive: focus stays on the grid (aria-activedescendant)
import type { CSSProperties } from 'react'
import { formatBytes, formatDate } from '../lib/format.ts'
import type { Entry } from '../lib/listing.ts'
import { type EntryCallbacks, entryMouse, OpenButton, SelectBox } from './entry-controls.tsx'
import { Thumbnail } from './thumbnail.tsx'

/** One row of the folder grid: checkbox, icon (or thumbnail) and name, size, date. */
export function ObjectRow(props: {
  id: string
  index: number
  entry: Entry
  /** The object's thumbnail URL; its icon when undefined. */
  thumbnail?: string | undefined
  selected: boolean
  active: boolean
  style: CSSProperties
  on: EntryCallbacks
}) {
  const { entry, index, on } = props
  return (
    <div
      id={props.id}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={props.selected}
      className={`row${props.selected ? ' selected' : ''}${props.active ? ' active' : ''}`}
      style={props.style}
      {...entryMouse(on, index, entry)}
    >
      <div role="gridcell" className="cell col-check">
        <SelectBox on={on} index={index} entry={entry} selected={props.selected} />
      </div>
      <div role="gridcell" className="cell col-name">
        <Thumbnail entry={entry} url={props.thumbnail} size="small" />
        <OpenButton on={on} index={index} entry={entry} className="link" />
      </div>
      <div role="gridcell" className="cell col-size">
        {entry.kind === 'object' ? formatBytes(entry.object.size) : ''}
      </div>
      <div role="gridcell" className="cell col-modified">
        {entry.kind === 'object' ? formatDate(entry.object.lastModified) : ''}
      </div>
    </div>
  )
}
