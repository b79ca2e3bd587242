import type { Entry } from '../lib/listing.ts'

/** What a row of the list or a tile of the grid reports: it became active, was toggled, is opened. */
export interface EntryCallbacks {
  onActive: (index: number) => void
  /** Toggles the entry; with `range`, selects from the active entry to it (shift-click). */
  onToggle: (index: number, range: boolean) => void
  onOpen: (entry: Entry) => void
}

/** A row's or tile's mouse: a click makes it active (Shift, Ctrl or Cmd also toggles it), a double click opens it. */
export function entryMouse(on: EntryCallbacks, index: number, entry: Entry) {
  return {
    onClick: (event: React.MouseEvent) => {
      on.onActive(index)
      if (event.shiftKey || event.ctrlKey || event.metaKey) on.onToggle(index, event.shiftKey)
    },
    onDoubleClick: () => on.onOpen(entry),
  }
}

/** An entry's checkbox; out of the tab order, as the grid handles the keys. */
export function SelectBox(props: {
  on: EntryCallbacks
  index: number
  entry: Entry
  selected: boolean
  className?: string
}) {
  const { on, index } = props
  return (
    <input
      type="checkbox"
      className={props.className}
      tabIndex={-1}
      aria-label={`Select ${props.entry.name}`}
      checked={props.selected}
      onClick={(event) => event.stopPropagation()}
      onChange={(event) => {
        on.onActive(index)
        on.onToggle(index, (event.nativeEvent as MouseEvent).shiftKey === true)
      }}
    />
  )
}

/** An entry's name, a button that opens it (a folder's name ends with `/`). */
export function OpenButton(props: { on: EntryCallbacks; index: number; entry: Entry; className: string }) {
  const { on, index, entry } = props
  const name = entry.kind === 'folder' ? `${entry.name}/` : entry.name
  return (
    <button
      type="button"
      className={props.className}
      tabIndex={-1}
      title={name}
      onClick={(event) => {
        event.stopPropagation()
        on.onActive(index)
        on.onOpen(entry)
      }}
    >
      {name}
    </button>
  )
}
