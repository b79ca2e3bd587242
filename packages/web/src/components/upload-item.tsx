import { formatBytes } from '../lib/format.ts'
import type { UploadItem as Item, UploadQueue } from '../upload/upload-queue.ts'

const STATE_TEXT: Record<Item['state'], string> = {
  queued: 'Waiting',
  uploading: 'Uploading',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  conflict: 'Name taken',
}

/** A whole percentage of `sent` in `size` (100 for an empty file). */
export function percent(sent: number, size: number): number {
  return size === 0 ? 100 : Math.floor((sent / size) * 100)
}

/** One file of the upload queue: its progress, state, error, and Cancel or Retry. */
export function UploadItem(props: { item: Item; queue: UploadQueue }) {
  const { item, queue } = props
  const name = item.key.slice(item.key.lastIndexOf('/') + 1)
  return (
    <li className={`upload ${item.state}`} data-key={item.key}>
      <div className="upload-line">
        <span className="upload-name" title={item.key}>
          {name}
        </span>
        <span className="muted">
          {item.state === 'uploading'
            ? `${formatBytes(item.sent)} of ${formatBytes(item.size)}`
            : `${STATE_TEXT[item.state]} · ${formatBytes(item.size)}`}
          {item.resumable ? ' · resumable' : ''}
        </span>
        {item.state === 'queued' || item.state === 'uploading' ? (
          <button
            type="button"
            className="small"
            onClick={() => queue.cancel(item.id)}
            aria-label={`Cancel ${name}`}
          >
            Cancel
          </button>
        ) : null}
        {/* Retry only where it may help: not for a file the bucket refuses. */}
        {(item.state === 'failed' && item.retryable !== false) || item.state === 'cancelled' ? (
          <button
            type="button"
            className="small"
            onClick={() => queue.retry(item.id)}
            aria-label={`Retry ${name}`}
          >
            Retry
          </button>
        ) : null}
      </div>
      <progress max={100} value={percent(item.sent, item.size)} aria-label={`Progress of ${name}`} />
      {item.error ? (
        <p className="error upload-error" role="alert">
          {item.error}
        </p>
      ) : null}
    </li>
  )
}
