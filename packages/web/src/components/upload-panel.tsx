import { useEffect, useMemo, useState, useSyncExternalStore } from 'react'
import { formatBytes } from '../lib/format.ts'
import { useLeaveWarning } from '../lib/use-leave-warning.ts'
import { timeLeftText } from '../upload/speed-meter.ts'
import { unfinishedUploads } from '../upload/transports.ts'
import type { UploadItem as Item, QueueSnapshot, UploadQueue } from '../upload/upload-queue.ts'
import { type ConflictChoice, ConflictDialog } from './conflict-dialog.tsx'
import { percent, UploadItem } from './upload-item.tsx'

/**
 * The uploads a reload or a lost connection interrupted (tus keeps them in localStorage until they
 * finish), except those in the queue now; dropping the same file in the same folder resumes one.
 */
export function interruptedHint(items: readonly Item[], storage?: Storage): string | undefined {
  const queued = new Set(
    items.filter((i) => i.state !== 'failed' && i.state !== 'cancelled').map((i) => `${i.bucket}/${i.key}`),
  )
  const names = unfinishedUploads(storage)
    .map((u) => `${u.bucket}/${u.key}`)
    .filter((name) => !queued.has(name))
  if (names.length === 0) return undefined
  return `Interrupted uploads: ${names.join(', ')}. Upload the same files to the same folders to resume them.`
}

/** How long a finished panel stays open once the person opened it. */
const COLLAPSE_AFTER_MS = 4000

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** The panel's head line: what is moving, else what needs the person, else that all is done. */
function summaryOf(total: QueueSnapshot['total'], count: number): string {
  if (total.active > 0) {
    const moving = `Uploading ${plural(total.active, 'file')} · ${percent(total.sent, total.size)}%`
    if (!total.rate) return moving
    return `${moving} · ${formatBytes(total.rate)}/s · ${timeLeftText((total.size - total.sent) / total.rate)}`
  }
  if (total.conflicts > 0) return `${plural(total.conflicts, 'name')} taken: choose what to do`
  if (total.failed > 0) return `${plural(total.failed, 'upload')} failed`
  return count > 0 ? 'Uploads complete' : 'Unfinished uploads'
}

/** Asks what to do with the first upload whose name is taken; "the same for all" answers every one. */
function UploadConflicts(props: { queue: UploadQueue; items: readonly Item[] }) {
  const conflicts = props.items.filter((i) => i.state === 'conflict')
  const first = conflicts[0]
  if (!first) return null
  const slash = first.key.lastIndexOf('/')
  const answer = ({ choice, all }: ConflictChoice) => {
    for (const item of all ? conflicts : [first]) props.queue.resolve(item.id, choice)
  }
  return (
    <ConflictDialog
      key={first.id}
      name={first.key.slice(slash + 1)}
      folder={`${first.bucket}/${first.key.slice(0, slash + 1)}`}
      others={conflicts.length - 1}
      onChoose={answer}
    />
  )
}

/** The upload queue: total progress in the head, a bar per file, cancel, retry, clear. */
export function UploadPanel(props: { queue: UploadQueue }) {
  const { queue } = props
  const { items, total } = useSyncExternalStore(queue.subscribe, queue.snapshot)
  // Read again whenever the queue changes: a finished upload leaves localStorage.
  const hint = useMemo(() => interruptedHint(items), [items])
  // Open while files are moving or failed, unless the person closed it; they can always open it again.
  const [chosen, setChosen] = useState<boolean | undefined>()
  useLeaveWarning(total.active > 0)
  // A finished panel (nothing moving, failed or waiting) closes by itself after a moment, even one
  // the person opened; the next uploads open it again.
  const finished = items.length > 0 && total.active + total.failed + total.conflicts === 0
  useEffect(() => {
    if (!finished || chosen !== true) return
    const timer = setTimeout(() => setChosen(undefined), COLLAPSE_AFTER_MS)
    return () => clearTimeout(timer)
  }, [finished, chosen])
  if (items.length === 0 && !hint) return null
  const open = chosen ?? (total.active > 0 || total.failed > 0 || total.conflicts > 0 || items.length === 0)
  const summary = summaryOf(total, items.length)
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
      <UploadConflicts queue={queue} items={items} />
      {open ? (
        <>
          {hint ? <p className="hint">{hint}</p> : null}
          <ul className="upload-list">
            {items.map((item) => (
              <UploadItem key={item.id} item={item} queue={queue} />
            ))}
          </ul>
        </>
      ) : null}
    </section>
  )
}
