import type { Listing } from '../lib/use-listing.ts'

/**
 * Says that the rows shown are the last ones loaded because the server cannot be reached, with a
 * Retry that loads the folder again (also done by itself when the browser is back online).
 */
export function OfflineNotice(props: { listing: Listing }) {
  const { listing } = props
  if (!listing.offline) return null
  return (
    <div className="offline" role="alert">
      <span>
        <strong>Offline</strong> — showing the last listing. Changes made since are not shown.
      </span>
      <button type="button" onClick={listing.retry} disabled={!listing.complete}>
        {listing.complete ? 'Retry' : 'Retrying…'}
      </button>
    </div>
  )
}
