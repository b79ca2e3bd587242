import type { Share } from '@coffer/client'
import { useEffect, useRef, useState } from 'react'
import type { CofferClient } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import { formatDate } from '../lib/format.ts'
import { LinkField } from './link-field.tsx'
import { ErrorText, Modal } from './modal.tsx'
import { OptionSelect } from './option-select.tsx'

/** Lifetimes offered for share links; those past the bucket's maximum are left out. */
export const EXPIRIES = [
  { label: '15 minutes', value: 15 * 60 },
  { label: '1 hour', value: 3600 },
  { label: '1 day', value: 24 * 3600 },
  { label: '7 days', value: 7 * 24 * 3600 },
  { label: '30 days', value: 30 * 24 * 3600 },
  { label: '90 days', value: 90 * 24 * 3600 },
  { label: '1 year', value: 365 * 24 * 3600 },
]

/** The server's default: 7 days, or the bucket's longest when shorter. */
const DEFAULT_EXPIRY = 7 * 24 * 3600

/** What a link allows, in a sentence. */
function allowance(share: Share): string {
  const times = share.maxDownloads === undefined ? '' : `, ${share.maxDownloads} times at most`
  return `Anyone with this link can download the file until ${formatDate(share.expiresAt)}${times}.`
}

/**
 * Share an object: the dialog makes a share link at once (7 days, or the bucket's longest when
 * shorter), and shows it to copy. Changing the expiry or the download limit makes a new link and
 * revokes the one this dialog made, which nobody can have used for long. For public buckets, the
 * public URL too.
 */
export function ShareDialog(props: {
  client: CofferClient
  bucket: string
  isPublic: boolean
  objectKey: string
  onClose: () => void
}) {
  const { client, bucket, objectKey } = props
  const [longest, setLongest] = useState<number | undefined>()
  const [expiresIn, setExpiresIn] = useState(DEFAULT_EXPIRY)
  const [maxDownloads, setMaxDownloads] = useState('')
  const [share, setShare] = useState<Share | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  const made = useRef(false)
  useEffect(() => {
    // One link per opening, even when React runs effects twice (development's strict mode).
    if (made.current) return
    made.current = true
    client.buckets.get(bucket).then(
      (info) => {
        const max = info.maxShareSeconds ?? DEFAULT_EXPIRY
        setLongest(max)
        setExpiresIn(Math.min(DEFAULT_EXPIRY, max))
      },
      () => setLongest(undefined),
    )
    client.shares
      .create(bucket, { key: objectKey })
      .then(setShare, (failure: unknown) => setError(messageOf(failure)))
  }, [client, bucket, objectKey])

  const offered = EXPIRIES.filter((e) => longest === undefined || e.value <= longest)
  return (
    <Modal title={`Share ${objectKey.slice(objectKey.lastIndexOf('/') + 1)}`} onClose={props.onClose}>
      {props.isPublic ? (
        <LinkField label="Public URL" url={client.objects.publicUrl(bucket, objectKey)} />
      ) : null}
      {share ? (
        <>
          <LinkField label="Share link" url={share.url} />
          <p className="hint">{allowance(share)} You can revoke it under Shared links.</p>
        </>
      ) : error === undefined ? (
        <p aria-busy="true">Making a link…</p>
      ) : null}
      {error === undefined ? null : <ErrorText message={error} />}
      <form
        className="fields"
        onSubmit={async (event) => {
          event.preventDefault()
          setError(undefined)
          setBusy(true)
          try {
            const limit = maxDownloads.trim() === '' ? undefined : Number(maxDownloads)
            const next = await client.shares.create(bucket, {
              key: objectKey,
              expiresIn,
              ...(limit === undefined ? {} : { maxDownloads: limit }),
            })
            if (share) await client.shares.revoke(bucket, share.id)
            setShare(next)
          } catch (failure) {
            setError(messageOf(failure))
          } finally {
            setBusy(false)
          }
        }}
      >
        <OptionSelect
          label="Link expires after"
          value={expiresIn}
          choices={offered}
          onChange={setExpiresIn}
        />
        <label>
          Most downloads (empty: no limit)
          <input
            type="number"
            min={1}
            max={1_000_000}
            step={1}
            inputMode="numeric"
            value={maxDownloads}
            onChange={(e) => setMaxDownloads(e.target.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          Make a new link with these settings
        </button>
        <p className="hint">The link above then stops working.</p>
      </form>
    </Modal>
  )
}
