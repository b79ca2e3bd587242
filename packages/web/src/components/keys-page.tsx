import type { ApiKey } from '@coffer/client'
import { useCallback, useEffect, useState } from 'react'
import type { CofferClient } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import { formatDate } from '../lib/format.ts'
import { scopeText } from '../lib/scope-text.ts'
import { DataTable } from './data-table.tsx'
import { KeyCreateDialog } from './key-create-dialog.tsx'
import { ConfirmDialog, ErrorText } from './modal.tsx'

function status(key: ApiKey): string {
  if (key.revokedAt !== undefined) return `revoked ${formatDate(key.revokedAt)}`
  if (key.expiresAt !== undefined && Date.parse(key.expiresAt) <= Date.now()) return 'expired'
  return 'active'
}

/** API keys (service admins): name, scopes, expiry, last use; create one (token shown once), revoke. */
export function KeysPage(props: {
  client: CofferClient
  buckets: string[]
  /** The id of the key this UI is signed in with, marked in the list. */
  selfId?: string | undefined
}) {
  const { client } = props
  const [keys, setKeys] = useState<ApiKey[] | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [creating, setCreating] = useState(false)
  const [revoking, setRevoking] = useState<ApiKey | undefined>()
  const load = useCallback(() => {
    client.keys.list().then(setKeys, (e: unknown) => setError(messageOf(e)))
  }, [client])
  useEffect(load, [load])
  return (
    <main className="page admin-page">
      <div className="page-head">
        <h1>API keys</h1>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New key
        </button>
      </div>
      {error === undefined ? null : <ErrorText message={error} />}
      {keys === undefined && error === undefined ? <p aria-busy="true">Loading…</p> : null}
      {keys && keys.length > 0 ? (
        <DataTable columns={['Name', 'Scopes', 'Expires', 'Last used', 'Status']} actions>
          {keys.map((key) => (
            <tr key={key.id}>
              <td>
                {key.name}
                {key.id === props.selfId ? <span className="muted"> (this key)</span> : null}
              </td>
              <td>
                {key.scopes.map((scope) => (
                  <div key={scopeText(scope)}>{scopeText(scope)}</div>
                ))}
              </td>
              <td>{key.expiresAt ? formatDate(key.expiresAt) : 'never'}</td>
              <td>{key.lastUsedAt ? formatDate(key.lastUsedAt) : 'never'}</td>
              <td>{status(key)}</td>
              <td className="actions">
                {status(key) === 'active' ? (
                  <button
                    type="button"
                    className="small danger"
                    aria-label={`Revoke ${key.name}`}
                    onClick={() => setRevoking(key)}
                  >
                    Revoke
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {creating ? (
        <KeyCreateDialog
          client={client}
          buckets={props.buckets}
          onClose={() => setCreating(false)}
          onCreated={load}
        />
      ) : null}
      {revoking ? (
        <ConfirmDialog
          title={`Revoke ${revoking.name}?`}
          message={`${revoking.id === props.selfId ? 'This is the key you are signed in with: you will be signed out. ' : ''}Every request with this key fails from now on, and the links it signed or shared stop working. This cannot be undone.`}
          confirm="Revoke key"
          onClose={() => setRevoking(undefined)}
          onConfirm={async () => {
            await client.keys.revoke(revoking.id)
            setRevoking(undefined)
            load()
          }}
        />
      ) : null}
    </main>
  )
}
