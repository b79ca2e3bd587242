// A header cell of the folder grid (see object-list.tsx); the button inside takes the focus.
// biome-ignore-all lint/a11y/useSemanticElements: virtualised rows are divs with grid roles
// biome-ignore-all lint/a11y/useFocusableInteractive: the button inside takes the focus
import type { SortField } from '../api/types.ts'
import type { ViewOptions } from '../lib/listing.ts'

/** A column header that sorts by its field; a second click reverses the order. */
export function SortHeader(props: {
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
