// Rows of the ARIA grid (see object-list.tsx): divs with grid roles, never focused themselves.
// biome-ignore-all lint/a11y/useSemanticElements: virtualised rows are divs with grid roles
// biome-ignore-all lint/a11y/useFocusableInteractive: focus stays on the grid (aria-activedescendant)
import type { CSSProperties } from 'react'
import { formatBytes, formatDate } from '../lib/format.ts'
import type { Entry } from '../lib/listing.ts'
import { EntryIcon } from './entry-icon.tsx'

/** One row of the folder grid: checkbox, icon and name, size, date. */
export function ObjectRow(props: {
  id: string
  index: number
  entry: Entry
  selected: boolean
  active: boolean
  style: CSSProperties
  onActive: (index: number) => void
  onToggle: (index: number, range: boolean) => void
  onOpen: (entry: Entry) => void
}) {
  const { entry, index } = props
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the grid handles the keys for its rows
    <div
      id={props.id}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={props.selected}
      className={`row${props.selected ? ' selected' : ''}${props.active ? ' active' : ''}`}
      style={props.style}
      onClick={(event) => {
        props.onActive(index)
        if (event.shiftKey || event.ctrlKey || event.metaKey) props.onToggle(index, event.shiftKey)
      }}
      onDoubleClick={() => props.onOpen(entry)}
    >
      <div role="gridcell" className="cell col-check">
        <input
          type="checkbox"
          tabIndex={-1}
          aria-label={`Select ${entry.name}`}
          checked={props.selected}
          onClick={(event) => event.stopPropagation()}
          onChange={(event) => {
            props.onActive(index)
            props.onToggle(index, (event.nativeEvent as MouseEvent).shiftKey === true)
          }}
        />
      </div>
      <div role="gridcell" className="cell col-name">
        <EntryIcon entry={entry} />
        <button
          type="button"
          className="link"
          tabIndex={-1}
          onClick={(event) => {
            event.stopPropagation()
            props.onActive(index)
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
}
