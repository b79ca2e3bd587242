import type { Entry } from '../lib/listing.ts'
import { typeOf } from '../lib/listing.ts'

/** The kind of an entry, for its icon's shape and colour. */
export function kindOf(entry: Entry): string {
  if (entry.kind === 'folder') return 'folder'
  const type = typeOf(entry.object)
  if (type.startsWith('image/')) return 'image'
  if (type.startsWith('video/') || type.startsWith('audio/')) return 'media'
  if (type === 'application/pdf') return 'pdf'
  if (type.startsWith('text/') || type.endsWith('json')) return 'text'
  return 'file'
}

/** A small inline icon for an entry (SVG, so it needs no font or request). */
export function EntryIcon(props: { entry: Entry }) {
  const kind = kindOf(props.entry)
  const path =
    kind === 'folder'
      ? 'M2 4.5A1.5 1.5 0 0 1 3.5 3h3l1.5 1.5h4.5A1.5 1.5 0 0 1 14 6v5.5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 11.5z'
      : 'M4 1.5h5l3.5 3.5v9a.5.5 0 0 1-.5.5H4a.5.5 0 0 1-.5-.5V2a.5.5 0 0 1 .5-.5zM9 1.5V5h3.5'
  return (
    <svg className={`icon icon-${kind}`} viewBox="0 0 16 16" width="18" height="18" aria-hidden="true">
      <path d={path} />
    </svg>
  )
}
