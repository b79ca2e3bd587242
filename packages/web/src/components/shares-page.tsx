import type { Share } from '@coffer/client'
import { useCallback, useEffect, useState } from 'react'
import type { CofferClient } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import { formatDate } from '../lib/format.ts'
import { DataTable } from './data-table.tsx'
import { LinkField } from './link-field.tsx'
import { ConfirmDialog, ErrorText, Modal } from './modal.tsx'

function downloadsText(share: Share): string {
  return share.maxDownloads === undefined
    ? String(share.downloads)
    : `${share.downloads} of ${share.maxDownloads}`
}

/**
 * The live share links of a bucket that this credential manages (its own; every one for a bucket
 * admin), with what they share, who made them, until when, how often they were downloaded, and
 * Revoke.
 */
export function SharesPage(props: { client: CofferClient; bucket: string; onOpenBucket: () => void }) {
  const { client, bucket } = props
  const [shares, setShares] = useState<Share[] | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [revoking, setRevoking] = useState<Share | undefined>()
  const [showing, setShowing] = useState<Share | undefined>()
  const load = useCallback(() => {
    setError(undefined)
    client.shares.list(bucket).then(setShares, (e: unknown) => setError(messageOf(e)))
  }, [client, bucket])
  useEffect(load, [load])
  useEffect(() => {
    document.title = `Shared links of ${bucket} · Coffer`
  }, [bucket])
  return (
    <main className="page shares-page">
      <div className="page-head">
        <h1>Shared links of {bucket}</h1>
        <a
          href={`/b/${encodeURIComponent(bucket)}/`}
          onClick={(event) => {
            event.preventDefault()
            props.onOpenBucket()
          }}
        >
          Back to the files
        </a>
      </div>
      {error === undefined ? null : <ErrorText message={error} />}
      {shares === undefined && error === undefined ? <p aria-busy="true">Loading…</p> : null}
      {shares?.length === 0 ? <p>No live share link. Share a file from its details or the toolbar.</p> : null}
      {shares !== undefined && shares.length > 0 ? (
        <DataTable columns={['File', 'Made by', 'Made', 'Expires', 'Downloads']} actions>
          {shares.map((share) => (
            <tr key={share.id}>
              <td className="break">{share.key}</td>
              <td>{share.createdByName}</td>
              <td>{formatDate(share.createdAt)}</td>
              <td>{formatDate(share.expiresAt)}</td>
              <td>{downloadsText(share)}</td>
              <td className="actions">
                <button type="button" className="small" onClick={() => setShowing(share)}>
                  Link
                </button>
                <button
                  type="button"
                  className="small danger"
                  aria-label={`Revoke the link to ${share.key}`}
                  onClick={() => setRevoking(share)}
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {showing ? (
        <Modal title={`Link to ${showing.key}`} onClose={() => setShowing(undefined)}>
          <LinkField label="Share link" url={showing.url} />
        </Modal>
      ) : null}
      {revoking ? (
        <ConfirmDialog
          title="Revoke this link?"
          message={`The link to ${revoking.key} stops working at once, for everyone who has it.`}
          confirm="Revoke"
          onClose={() => setRevoking(undefined)}
          onConfirm={async () => {
            await client.shares.revoke(bucket, revoking.id)
            setRevoking(undefined)
            load()
          }}
        />
      ) : null}
    </main>
  )
}
