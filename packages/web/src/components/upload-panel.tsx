import { useMemo, useState, useSyncExternalStore } from 'react'
import { formatBytes } from '../lib/format.ts'
import { unfinishedUploads } from '../upload/transports.ts'
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

/**
 * The uploads a reload or a lost connection interrupted (tus keeps them in localStorage until they
 * finish), except those in the queue now; dropping the same file in the same folder resumes one.
 */
export function interruptedHint(items: readonly UploadItem[], storage?: Storage): string | undefined {
  const queued = new Set(
    items.filter((i) => i.state !== 'failed' && i.state !== 'cancelled').map((i) => `${i.bucket}/${i.key}`),
  )
  const names = unfinishedUploads(storage)
    .map((u) => `${u.bucket}/${u.key}`)
    .filter((name) => !queued.has(name))
  if (names.length === 0) return undefined
  return `Interrupted uploads: ${names.join(', ')}. Upload the same files to the same folders to resume them.`
}

/** The upload queue: total progress in the head, a bar per file, cancel, retry, clear. */
export function UploadPanel(props: { queue: UploadQueue }) {
  const { queue } = props
  const { items, total } = useSyncExternalStore(queue.subscribe, queue.snapshot)
  // Read again whenever the queue changes: a finished upload leaves localStorage.
  const hint = useMemo(() => interruptedHint(items), [items])
  // Open while files are moving or failed, unless the person closed it; they can always open it again.
  const [chosen, setChosen] = useState<boolean | undefined>()
  if (items.length === 0 && !hint) return null
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
          {hint ? <p className="hint">{hint}</p> : null}
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
