import { useRef } from 'react'
import type { Abilities } from '../lib/abilities.ts'
import type { ViewOptions } from '../lib/listing.ts'
import { FilePicker } from './file-picker.tsx'
import { type SelectionActions, SelectionBar } from './selection-bar.tsx'
import { ViewControls } from './view-controls.tsx'

/** Search, filters and sort; the upload buttons; and the actions on the selection. */
export function Toolbar(
  props: SelectionActions & {
    view: ViewOptions
    onView: (view: ViewOptions) => void
    selected: number
    /** Whether exactly one object (not a folder) is selected. */
    single: boolean
    onPick: (files: FileList | null) => void
    /** The types the bucket accepts, for the file picker; undefined for any. */
    accept?: string | undefined
    onNewFolder: () => void
    /** What the credential may do here; the rest is not offered. */
    can: Abilities
  },
) {
  const files = useRef<HTMLInputElement>(null)
  const folder = useRef<HTMLInputElement>(null)
  return (
    <div className="toolbar">
      <div className="toolbar-row">
        <ViewControls view={props.view} onView={props.onView} />
        <span className="spacer" />
        {props.can.write ? (
          <>
            <button type="button" onClick={props.onNewFolder}>
              New folder
            </button>
            <button type="button" onClick={() => folder.current?.click()}>
              Upload folder
            </button>
            <button type="button" className="primary" onClick={() => files.current?.click()}>
              Upload files
            </button>
            <FilePicker
              ref={files}
              label="Choose files to upload"
              onPick={props.onPick}
              accept={props.accept}
            />
            <FilePicker ref={folder} label="Choose a folder to upload" onPick={props.onPick} folder />
          </>
        ) : null}
      </div>
      {props.selected > 0 ? <SelectionBar {...props} /> : null}
    </div>
  )
}
