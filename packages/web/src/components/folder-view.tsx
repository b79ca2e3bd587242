import type { SortField } from '../api/types.ts'
import type { Entry, ViewOptions } from '../lib/listing.ts'
import type { Layout } from '../lib/use-layout.ts'
import type { Listing } from '../lib/use-listing.ts'
import type { Selection } from '../lib/use-selection.ts'
import type { ThumbnailOf } from '../lib/use-thumbnails.ts'
import { ObjectGrid } from './object-grid.tsx'
import { ObjectList } from './object-list.tsx'

/** How many rows a folder has, or how many loaded so far, announced politely. */
export function ListingStatus(props: { entries: readonly Entry[]; listing: Listing }) {
  const { entries, listing } = props
  return (
    <p className="listing-status muted" role="status" aria-live="polite">
      {listing.complete
        ? `${entries.length.toLocaleString()} item${entries.length === 1 ? '' : 's'}`
        : `Loading… ${listing.objects.length.toLocaleString()} so far`}
    </p>
  )
}

/** A folder's rows (or tiles, in the grid layout), or what to do when there are none. */
export function FolderView(props: {
  entries: readonly Entry[]
  listing: Listing
  selection: Selection
  view: ViewOptions
  layout: Layout
  thumbnail: ThumbnailOf
  onOpen: (entry: Entry) => void
  onSort: (field: SortField) => void
  onDelete: () => void
}) {
  const { entries, listing, selection, view } = props
  if (entries.length === 0 && listing.complete && listing.error === undefined && !listing.offline)
    return (
      <div className="empty">
        <p>{view.q || view.type ? 'Nothing matches.' : 'This folder is empty.'}</p>
        <p className="muted">Drop files or folders here, or use Upload.</p>
      </div>
    )
  const Layout = props.layout === 'grid' ? ObjectGrid : ObjectList
  return (
    <Layout
      thumbnail={props.thumbnail}
      entries={entries}
      selected={selection.selected}
      active={selection.active}
      view={view}
      onActive={selection.setActive}
      onToggle={selection.toggle}
      onSelectAll={selection.selectAll}
      onOpen={props.onOpen}
      onSort={props.onSort}
      onDelete={props.onDelete}
    />
  )
}
