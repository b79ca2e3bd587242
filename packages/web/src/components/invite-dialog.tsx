import { useState } from 'react'
import type { CofferClient } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import { formatDate } from '../lib/format.ts'
import { BucketSelect } from './bucket-select.tsx'
import { LinkField } from './link-field.tsx'
import { ErrorText, Modal } from './modal.tsx'

const ACCESS = {
  read: ['read', 'list'],
  write: ['read', 'list', 'write', 'delete', 'sign'],
} as const

/**
 * A sign-in link for someone else (admins): a new API key that expires, scoped to one bucket or all,
 * in the link's fragment (`/#token=…`), which browsers never send to a server.
 */
export function InviteDialog(props: { client: CofferClient; buckets: string[]; onClose: () => void }) {
  const [bucket, setBucket] = useState('*')
  const [access, setAccess] = useState<keyof typeof ACCESS>('read')
  const [hours, setHours] = useState(1)
  const [link, setLink] = useState<{ url: string; expiresAt: Date } | undefined>()
  const [error, setError] = useState<string | undefined>()
  return (
    <Modal title="Sign-in link" onClose={props.onClose}>
      <form
        className="fields"
        onSubmit={async (event) => {
          event.preventDefault()
          setError(undefined)
          try {
            const expiresAt = new Date(Date.now() + hours * 3600_000)
            const scopes = [{ bucket, permissions: [...ACCESS[access]] }]
            const { token } = await props.client.keys.create({
              name: `sign-in link (${access})`,
              scopes,
              expiresAt: expiresAt.toISOString(),
            })
            setLink({ url: `${location.origin}/#token=${encodeURIComponent(token)}`, expiresAt })
          } catch (failure) {
            setError(messageOf(failure))
          }
        }}
      >
        <BucketSelect buckets={props.buckets} value={bucket} onChange={setBucket} />
        <label>
          Access
          <select value={access} onChange={(e) => setAccess(e.target.value as keyof typeof ACCESS)}>
            <option value="read">Browse and download</option>
            <option value="write">Also upload, delete and share</option>
          </select>
        </label>
        <label>
          Valid for
          <select value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            <option value={1}>1 hour</option>
            <option value={24}>1 day</option>
            <option value={168}>7 days</option>
          </select>
        </label>
        <button type="submit" className="primary">
          Create link
        </button>
      </form>
      {error === undefined ? null : <ErrorText message={error} />}
      {link ? (
        <>
          <LinkField label="Sign-in link" url={link.url} />
          <p className="hint">
            Works until {formatDate(link.expiresAt.toISOString())}; revoke it under /v1/keys.
          </p>
        </>
      ) : null}
    </Modal>
  )
}
