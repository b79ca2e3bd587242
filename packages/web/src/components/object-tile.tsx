// Cells of the ARIA grid in its grid layout (see object-grid.tsx): never focused themselves.
// biome-ignore-all lint/a11y/useSemanticElements: virtualised cells are divs with grid roles
// biome-ignore-all lint/a11y/useFocusableInteractive: focus stays on the grid (aria-activedescendant)
import { formatBytes } from '../lib/format.ts'
import type { Entry } from '../lib/listing.ts'
import { type EntryCallbacks, entryMouse, OpenButton, SelectBox } from './entry-controls.tsx'
import { Thumbnail } from './thumbnail.tsx'

/** One tile of the folder grid: its picture, checkbox, name and size; selectable like a list row. */
export function ObjectTile(props: {
  id: string
  index: number
  column: number
  entry: Entry
  thumbnail: string | undefined
  selected: boolean
  active: boolean
  on: EntryCallbacks
}) {
  const { entry, index, on } = props
  return (
    <div
      id={props.id}
      role="gridcell"
      aria-colindex={props.column + 1}
      aria-selected={props.selected}
      className={`tile${props.selected ? ' selected' : ''}${props.active ? ' active' : ''}`}
      {...entryMouse(on, index, entry)}
    >
      <div className="tile-picture">
        <Thumbnail entry={entry} url={props.thumbnail} size="large" />
      </div>
      <SelectBox on={on} index={index} entry={entry} selected={props.selected} className="tile-check" />
      <OpenButton on={on} index={index} entry={entry} className="link tile-name" />
      <span className="tile-size muted">
        {entry.kind === 'object' ? formatBytes(entry.object.size) : 'Folder'}
      </span>
    </div>
  )
}
