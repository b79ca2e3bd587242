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

const SORTS = [
  { label: 'Name A–Z', value: 'name:asc' },
  { label: 'Name Z–A', value: 'name:desc' },
  { label: 'Largest first', value: 'size:desc' },
  { label: 'Smallest first', value: 'size:asc' },
  { label: 'Newest first', value: 'modified:desc' },
  { label: 'Oldest first', value: 'modified:asc' },
]

/** The search field, the type filter and the sort order of a folder's listing. */
export function ViewControls(props: { view: ViewOptions; onView: (view: ViewOptions) => void }) {
  const { view, onView } = props
  return (
    <>
      <input
        type="search"
        className="search"
        aria-label={view.everywhere ? 'Search names in the whole bucket' : 'Search in this folder'}
        placeholder={view.everywhere ? 'Search names in the whole bucket' : 'Search in this folder'}
        value={view.q}
        onChange={(e) => onView({ ...view, q: e.target.value })}
      />
      <select
        aria-label="Search where"
        value={view.everywhere ? 'bucket' : 'folder'}
        onChange={(e) => {
          const { everywhere: _, ...rest } = view
          onView(e.target.value === 'bucket' ? { ...rest, everywhere: true } : rest)
        }}
      >
        <option value="folder">This folder</option>
        <option value="bucket">Whole bucket</option>
      </select>
      <select aria-label="Type" value={view.type} onChange={(e) => onView({ ...view, type: e.target.value })}>
        {/* A type from a shared link that is not in the list still shows as what is filtered. */}
        {TYPE_FILTERS.some((t) => t.value === view.type) ? null : (
          <option value={view.type}>{view.type}</option>
        )}
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
        {SORTS.map((s) => (
          <option key={s.value} value={s.value}>
            {s.label}
          </option>
        ))}
      </select>
    </>
  )
}
