import { useEffect, useState } from 'react'
import { type CofferClient, objectDetails } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import type { Bucket, ObjectDetails, ObjectSummary } from '../api/types.ts'
import type { Abilities } from '../lib/abilities.ts'
import { baseName, formatBytes, formatDate } from '../lib/format.ts'
import { useEscape } from '../lib/use-escape.ts'
import { ErrorText } from './modal.tsx'
import { type ObjectActions, ObjectButtons } from './object-buttons.tsx'
import { Preview } from './preview.tsx'
import { RenderLinks } from './render-links.tsx'

/** An object's preview, metadata and actions, beside the list (over it on a phone); Escape closes it. */
export function DetailsPanel(
  props: {
    client: CofferClient
    bucket: string
    isPublic: boolean
    summary: ObjectSummary
    onClose: () => void
    can?: Abilities
    /** The bucket's policy, for its renders' links; none while it loads. */
    policy?: Bucket | undefined
  } & ObjectActions,
) {
  const { client, bucket, summary } = props
  const [details, setDetails] = useState<ObjectDetails | undefined>()
  const [error, setError] = useState<string | undefined>()
  useEscape(props.onClose)
  useEffect(() => {
    let live = true
    setDetails(undefined)
    setError(undefined)
    objectDetails(client, bucket, summary.key).then(
      (d) => live && setDetails(summary.sha256 ? { ...d, sha256: summary.sha256 } : d),
      (e) => live && setError(messageOf(e)),
    )
    return () => {
      live = false
    }
  }, [client, bucket, summary])
  const rows: [string, string][] = details
    ? [
        ['Size', `${formatBytes(details.size)} (${details.size.toLocaleString()} bytes)`],
        ['Type', details.contentType],
        ['Modified', formatDate(details.lastModified)],
        ['ETag', details.etag],
        ['SHA-256', details.sha256 ?? 'not listed by this server'],
        ...(summary.image
          ? [['Dimensions', `${summary.image.width} × ${summary.image.height} px`] as [string, string]]
          : []),
        ...(details.cacheControl ? [['Cache-Control', details.cacheControl] as [string, string]] : []),
        ...Object.entries(details.metadata).map(([k, v]): [string, string] => [`meta: ${k}`, v]),
      ]
    : []
  return (
    <aside className="details" aria-label={`Details of ${baseName(summary.key)}`}>
      <header className="details-head">
        <h2 title={summary.key}>{baseName(summary.key)}</h2>
        <button type="button" className="icon-button" aria-label="Close details" onClick={props.onClose}>
          ×
        </button>
      </header>
      <div className="details-actions">
        <ObjectButtons {...props} object one />
      </div>
      {error === undefined ? null : <ErrorText message={error} />}
      {details ? (
        <>
          <Preview client={client} bucket={bucket} isPublic={props.isPublic} details={details} />
          <RenderLinks
            client={client}
            bucket={props.policy}
            object={summary}
            canSign={props.can?.sign ?? true}
          />
          <dl className="metadata">
            {rows.map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
    </aside>
  )
}
