import { useState } from 'react'
import { messageOf } from '../api/api-error.ts'
import { type CofferClient, publicUrl } from '../api/coffer-client.ts'
import { formatDate } from '../lib/format.ts'
import { ErrorText, Modal } from './modal.tsx'

/** Expiries offered for signed links (the server allows 1 s to 7 days). */
export const EXPIRIES = [
  { label: '15 minutes', seconds: 15 * 60 },
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 24 * 3600 },
  { label: '7 days', seconds: 7 * 24 * 3600 },
] as const

/** Copies text; falls back to selecting the field when the Clipboard API is refused (no HTTPS, no focus). */
async function copy(text: string, field: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    field?.select()
    return false
  }
}

export function LinkField(props: { label: string; url: string }) {
  const [copied, setCopied] = useState<string | undefined>()
  const id = `link-${props.label.replace(/\W+/g, '-').toLowerCase()}`
  return (
    <div className="link-field">
      <label htmlFor={id}>{props.label}</label>
      <div className="inline">
        <input id={id} readOnly value={props.url} onFocus={(e) => e.target.select()} />
        <button
          type="button"
          onClick={async () => {
            const ok = await copy(props.url, document.getElementById(id) as HTMLInputElement | null)
            setCopied(ok ? 'Copied' : 'Press Ctrl+C to copy')
          }}
        >
          Copy
        </button>
      </div>
      <p className="hint" role="status">
        {copied ?? ''}
      </p>
    </div>
  )
}

/** Share an object: a signed link with an expiry, and for public buckets the public URL. */
export function ShareDialog(props: {
  client: CofferClient
  bucket: string
  isPublic: boolean
  objectKey: string
  onClose: () => void
}) {
  const [expiresIn, setExpiresIn] = useState<number>(3600)
  const [link, setLink] = useState<{ url: string; expiresAt: string } | undefined>()
  const [error, setError] = useState<string | undefined>()
  return (
    <Modal
      title={`Share ${props.objectKey.slice(props.objectKey.lastIndexOf('/') + 1)}`}
      onClose={props.onClose}
    >
      {props.isPublic ? (
        <LinkField label="Public URL" url={publicUrl(props.bucket, props.objectKey)} />
      ) : null}
      <form
        className="fields"
        onSubmit={async (event) => {
          event.preventDefault()
          setError(undefined)
          try {
            setLink(await props.client.sign(props.bucket, props.objectKey, expiresIn))
          } catch (failure) {
            setError(messageOf(failure))
          }
        }}
      >
        <label>
          Link expires after
          <select value={expiresIn} onChange={(e) => setExpiresIn(Number(e.target.value))}>
            {EXPIRIES.map((e) => (
              <option key={e.seconds} value={e.seconds}>
                {e.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Create signed link
        </button>
      </form>
      {error === undefined ? null : <ErrorText message={error} />}
      {link ? (
        <>
          <LinkField label="Signed link" url={link.url} />
          <p className="hint">
            Anyone with this link can download the file until {formatDate(link.expiresAt)}.
          </p>
        </>
      ) : null}
    </Modal>
  )
}
