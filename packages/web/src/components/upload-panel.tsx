import { useState, useSyncExternalStore } from 'react'
import { formatBytes } from '../lib/format.ts'
import type { UploadItem, UploadQueue } from '../upload/upload-queue.ts'

const STATE_TEXT: Record<UploadItem['state'], string> = {
  queued: 'Waiting',
  uploading: 'Uploading',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
}

function percent(sent: number, size: number): number {
  return size === 0 ? 100 : Math.floor((sent / size) * 100)
}

function Item(props: { item: UploadItem; queue: UploadQueue }) {
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
        {item.state === 'failed' || item.state === 'cancelled' ? (
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

/** The upload queue: total progress in the head, a bar per file, cancel, retry, clear. */
export function UploadPanel(props: { queue: UploadQueue; resumableHint: string | undefined }) {
  const { queue } = props
  const { items, total } = useSyncExternalStore(queue.subscribe, queue.snapshot)
  // Open while files are moving or failed, unless the person closed it; they can always open it again.
  const [chosen, setChosen] = useState<boolean | undefined>()
  if (items.length === 0 && !props.resumableHint) return null
  const open = chosen ?? (total.active > 0 || total.failed > 0 || items.length === 0)
  const summary =
    total.active > 0
      ? `Uploading ${total.active} file${total.active === 1 ? '' : 's'} · ${percent(total.sent, total.size)}%`
      : total.failed > 0
        ? `${total.failed} upload${total.failed === 1 ? '' : 's'} failed`
        : items.length > 0
          ? 'Uploads complete'
          : 'Unfinished uploads'
  return (
    <section className="upload-panel" aria-label="Uploads">
      <header className="upload-head">
        <button type="button" className="link" aria-expanded={open} onClick={() => setChosen(!open)}>
          <span role="status">{summary}</span>
        </button>
        {items.length > 0 && total.active === 0 ? (
          <button
            type="button"
            className="small"
            onClick={() => {
              queue.clearFinished()
              setChosen(undefined)
            }}
          >
            Clear
          </button>
        ) : null}
      </header>
      <progress
        className="upload-total"
        max={100}
        value={percent(total.sent, total.size)}
        aria-label="Total upload progress"
      />
      {open ? (
        <>
          {props.resumableHint ? <p className="hint">{props.resumableHint}</p> : null}
          <ul className="upload-list">
            {items.map((item) => (
              <Item key={item.id} item={item} queue={queue} />
            ))}
          </ul>
        </>
      ) : null}
    </section>
  )
}
