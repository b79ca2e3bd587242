import { type RefObject, useRef } from 'react'
import type { SortField, SortOrder } from '../api/types.ts'
import type { ViewOptions } from '../lib/listing.ts'

const TYPE_FILTERS = [
  { label: 'All types', value: '' },
  { label: 'Images', value: 'image/*' },
  { label: 'Videos', value: 'video/*' },
  { label: 'Audio', value: 'audio/*' },
  { label: 'Text', value: 'text/*' },
  { label: 'PDF', value: 'application/pdf' },
]

/** A hidden file input that the Upload buttons open; with `folder`, it picks a whole folder. */
function FilePicker(props: {
  ref: RefObject<HTMLInputElement | null>
  label: string
  folder?: boolean
  onPick: (files: FileList | null) => void
}) {
  // webkitdirectory is not in React's types; every current browser supports it.
  const directory = props.folder ? ({ webkitdirectory: '' } as Record<string, string>) : {}
  return (
    <input
      ref={props.ref}
      type="file"
      multiple
      {...directory}
      className="visually-hidden"
      tabIndex={-1}
      aria-label={props.label}
      onChange={(e) => {
        props.onPick(e.target.files)
        e.target.value = ''
      }}
    />
  )
}

/** Search, filters and sort; the upload buttons; and the actions on the selection. */
export function Toolbar(props: {
  view: ViewOptions
  onView: (view: ViewOptions) => void
  selected: number
  /** Whether exactly one object (not a folder) is selected. */
  single: boolean
  onPick: (files: FileList | null) => void
  onNewFolder: () => void
  onDownload: () => void
  onShare: () => void
  onRename: () => void
  onDelete: () => void
  onClearSelection: () => void
}) {
  const { view, onView } = props
  const files = useRef<HTMLInputElement>(null)
  const folder = useRef<HTMLInputElement>(null)
  return (
    <div className="toolbar">
      <div className="toolbar-row">
        <input
          type="search"
          className="search"
          aria-label="Search in this folder"
          placeholder="Search in this folder"
          value={view.q}
          onChange={(e) => onView({ ...view, q: e.target.value })}
        />
        <select
          aria-label="Type"
          value={view.type}
          onChange={(e) => onView({ ...view, type: e.target.value })}
        >
          {TYPE_FILTERS.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
        <select
          aria-label="Sort by"
          value={`${view.sort}:${view.order}`}
          onChange={(e) => {
            const [sort, order] = e.target.value.split(':') as [SortField, SortOrder]
            onView({ ...view, sort, order })
          }}
        >
          <option value="name:asc">Name A–Z</option>
          <option value="name:desc">Name Z–A</option>
          <option value="size:desc">Largest first</option>
          <option value="size:asc">Smallest first</option>
          <option value="modified:desc">Newest first</option>
          <option value="modified:asc">Oldest first</option>
        </select>
        <span className="spacer" />
        <button type="button" onClick={props.onNewFolder}>
          New folder
        </button>
        <button type="button" onClick={() => folder.current?.click()}>
          Upload folder
        </button>
        <button type="button" className="primary" onClick={() => files.current?.click()}>
          Upload files
        </button>
        <FilePicker ref={files} label="Choose files to upload" onPick={props.onPick} />
        <FilePicker ref={folder} label="Choose a folder to upload" onPick={props.onPick} folder />
      </div>
      {props.selected > 0 ? (
        <div className="toolbar-row selection" role="toolbar" aria-label="Selection">
          <span>{props.selected} selected</span>
          {props.single ? (
            <>
              <button type="button" onClick={props.onDownload}>
                Download
              </button>
              <button type="button" onClick={props.onShare}>
                Share
              </button>
            </>
          ) : null}
          {props.selected === 1 ? (
            <button type="button" onClick={props.onRename}>
              Rename
            </button>
          ) : null}
          <button type="button" className="danger" onClick={props.onDelete}>
            Delete
          </button>
          <button type="button" className="link" onClick={props.onClearSelection}>
            Clear selection
          </button>
        </div>
      ) : null}
    </div>
  )
}
