import type { Abilities } from '../lib/abilities.ts'
import { type ObjectActions, ObjectButtons } from './object-buttons.tsx'

/** What can be done with the selected rows. */
export interface SelectionActions extends ObjectActions {
  onClearSelection: () => void
  /** Move to…: the selected entries into another folder. */
  onMove?: () => void
  /** Download as zip: the selected entries in one archive. */
  onZip?: () => void
}

/** The actions on the selection, shown while something is selected. */
export function SelectionBar(
  props: SelectionActions & {
    selected: number
    /** Whether exactly one object (not a folder) is selected. */
    single: boolean
    can?: Abilities
  },
) {
  return (
    <div className="toolbar-row selection" role="toolbar" aria-label="Selection">
      <span>{props.selected} selected</span>
      <ObjectButtons {...props} object={props.single} one={props.selected === 1} />
      {props.onZip && !props.single ? (
        <button type="button" onClick={props.onZip}>
          Download as zip
        </button>
      ) : null}
      {props.onMove && (props.can?.move ?? true) ? (
        <button type="button" onClick={props.onMove}>
          Move to…
        </button>
      ) : null}
      <button type="button" className="link" onClick={props.onClearSelection}>
        Clear selection
      </button>
    </div>
  )
}
