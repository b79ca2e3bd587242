import { useState } from 'react'
import type { CofferClient } from '../api/coffer-client.ts'
import type { Permission } from '../lib/abilities.ts'
import { formatDate } from '../lib/format.ts'
import { BucketSelect } from './bucket-select.tsx'
import { LinkField } from './link-field.tsx'
import { ActionForm, Modal } from './modal.tsx'
import { OptionSelect } from './option-select.tsx'

const PERMISSIONS = ['read', 'list', 'write', 'delete', 'sign', 'admin'] as const
/** Lifetimes of a new key, in days (0: it never expires). */
const LIFETIMES = [
  { label: 'Never', value: 0 },
  { label: '1 day', value: 1 },
  { label: '30 days', value: 30 },
  { label: '1 year', value: 365 },
]

/**
 * A new API key: its name, one scope (a bucket or every bucket, an optional folder, permissions)
 * and an expiry. Its token is shown once, here; the server keeps only its hash.
 */
export function KeyCreateDialog(props: {
  client: CofferClient
  buckets: string[]
  onClose: () => void
  onCreated: () => void
}) {
  const [name, setName] = useState('')
  const [bucket, setBucket] = useState('*')
  const [prefix, setPrefix] = useState('')
  const [permissions, setPermissions] = useState<Set<Permission>>(new Set(['read', 'list']))
  const [days, setDays] = useState(0)
  const [made, setMade] = useState<{ token: string; name: string; expiresAt?: string } | undefined>()
  if (made) {
    return (
      <Modal title={`API key ${made.name}`} onClose={props.onClose}>
        <LinkField label="Token" url={made.token} />
        <p className="hint">
          Copy it now: it is not shown again.
          {made.expiresAt ? ` It works until ${formatDate(made.expiresAt)}.` : ''}
        </p>
        <div className="form-actions">
          <button type="button" className="primary" onClick={props.onClose}>
            Done
          </button>
        </div>
      </Modal>
    )
  }
  return (
    <Modal title="New API key" onClose={props.onClose}>
      <ActionForm
        submit="Create key"
        disabled={name.trim() === '' || permissions.size === 0}
        onCancel={props.onClose}
        onSubmit={async () => {
          const scope = {
            bucket,
            permissions: [...permissions],
            ...(prefix.trim() ? { prefix: prefix.trim() } : {}),
          }
          const expiresAt = days === 0 ? undefined : new Date(Date.now() + days * 86_400_000).toISOString()
          const created = await props.client.keys.create({
            name: name.trim(),
            scopes: [scope],
            ...(expiresAt === undefined ? {} : { expiresAt }),
          })
          setMade({ token: created.token, name: created.key.name, ...(expiresAt ? { expiresAt } : {}) })
          props.onCreated()
        }}
      >
        <div className="fields">
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required />
          </label>
          <BucketSelect buckets={props.buckets} value={bucket} onChange={setBucket} />
          <label>
            Folder (empty: the whole bucket)
            <input value={prefix} onChange={(e) => setPrefix(e.target.value)} placeholder="users/42/" />
          </label>
          <fieldset>
            <legend>Permissions</legend>
            {PERMISSIONS.map((permission) => (
              <label key={permission} className="check">
                <input
                  type="checkbox"
                  checked={permissions.has(permission)}
                  onChange={(e) => {
                    const next = new Set(permissions)
                    if (e.target.checked) next.add(permission)
                    else next.delete(permission)
                    setPermissions(next)
                  }}
                />
                {permission}
              </label>
            ))}
          </fieldset>
          <OptionSelect label="Expires" value={days} choices={LIFETIMES} onChange={setDays} />
        </div>
      </ActionForm>
    </Modal>
  )
}
