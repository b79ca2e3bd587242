import { useCallback, useEffect, useState } from 'react'
import { bucketUsage, type CofferClient } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import { type Bucket, type Usage, withQuotas } from '../api/types.ts'
import { formatBytes } from '../lib/format.ts'
import { BucketDeleteDialog } from './bucket-delete-dialog.tsx'
import { BucketForm } from './bucket-form.tsx'
import { ErrorText } from './modal.tsx'
import { PublicBadge } from './public-badge.tsx'
import { UsageBar } from './usage-bar.tsx'

/** A bucket's usage, loaded when shown; nothing when the server has no usage route. */
function BucketUsage(props: { client: CofferClient; bucket: Bucket }) {
  const [usage, setUsage] = useState<Usage | undefined>()
  const { client, bucket } = props
  useEffect(() => {
    let live = true
    bucketUsage(client, bucket.name).then(
      (u) => live && setUsage(u && withQuotas(u, bucket)),
      () => live && setUsage(undefined),
    )
    return () => {
      live = false
    }
  }, [client, bucket])
  return usage ? <UsageBar usage={usage} label={`Storage used by ${bucket.name}`} /> : null
}

function policyText(bucket: Bucket): string {
  const parts = [bucket.public ? 'public' : 'private']
  if (bucket.maxFileSize !== undefined) parts.push(`files up to ${formatBytes(bucket.maxFileSize)}`)
  if (bucket.allowedTypes?.length) parts.push(bucket.allowedTypes.join(', '))
  if (bucket.quotaBytes !== undefined) parts.push(`quota ${formatBytes(bucket.quotaBytes)}`)
  return parts.join(' · ')
}

/** The buckets this credential sees, with usage; admins create buckets and edit their policies. */
export function BucketsPage(props: {
  client: CofferClient
  admin: boolean
  onOpen: (bucket: string) => void
}) {
  const { client } = props
  const [buckets, setBuckets] = useState<Bucket[] | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [editing, setEditing] = useState<Bucket | 'new' | undefined>()
  const [deleting, setDeleting] = useState<string | undefined>()
  const load = useCallback(() => {
    client.buckets.list().then(setBuckets, (e) => setError(messageOf(e)))
  }, [client])
  useEffect(load, [load])
  return (
    <main className="page buckets-page">
      <div className="page-head">
        <h1>Buckets</h1>
        {props.admin ? (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            New bucket
          </button>
        ) : null}
      </div>
      {error === undefined ? null : <ErrorText message={error} />}
      {buckets === undefined && error === undefined ? <p aria-busy="true">Loading…</p> : null}
      {buckets?.length === 0 ? <p>No bucket is visible to this key.</p> : null}
      <ul className="bucket-list">
        {buckets?.map((bucket) => (
          <li key={bucket.name} className="card bucket">
            <div className="bucket-main">
              <h2>
                <a
                  href={`/b/${encodeURIComponent(bucket.name)}/`}
                  onClick={(event) => {
                    event.preventDefault()
                    props.onOpen(bucket.name)
                  }}
                >
                  {bucket.name}
                </a>
                {bucket.public ? <PublicBadge bucket={bucket.name} /> : null}
              </h2>
              <p className="muted">{policyText(bucket)}</p>
              <BucketUsage client={client} bucket={bucket} />
            </div>
            {props.admin ? (
              <div className="bucket-actions">
                <button
                  type="button"
                  onClick={() => setEditing(bucket)}
                  aria-label={`Edit policy of ${bucket.name}`}
                >
                  Edit policy
                </button>
                {/* Only an empty bucket can go: the button is not offered for one with files. */}
                {bucket.usedObjects === 0 ? (
                  <button
                    type="button"
                    className="danger"
                    onClick={() => setDeleting(bucket.name)}
                    aria-label={`Delete ${bucket.name}`}
                  >
                    Delete
                  </button>
                ) : null}
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      {editing === undefined ? null : (
        <BucketForm
          client={client}
          {...(editing === 'new' ? {} : { bucket: editing })}
          onClose={() => setEditing(undefined)}
          onDone={() => {
            setEditing(undefined)
            load()
          }}
        />
      )}
      {deleting === undefined ? null : (
        <BucketDeleteDialog
          client={client}
          bucket={deleting}
          onClose={() => setDeleting(undefined)}
          onDeleted={() => {
            setDeleting(undefined)
            load()
          }}
        />
      )}
    </main>
  )
}
