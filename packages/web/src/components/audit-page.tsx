import type { AuditEvent, AuditFilter } from '@coffer/client'
import { type FormEvent, useCallback, useEffect, useState } from 'react'
import type { CofferClient } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import { formatDate } from '../lib/format.ts'
import { DataTable } from './data-table.tsx'
import { ErrorText } from './modal.tsx'

const PAGE = 50

/** The actions the service records, for the filter. */
const ACTIONS = [
  'object.put',
  'object.delete',
  'object.copy',
  'object.move',
  'bucket.create',
  'bucket.update',
  'bucket.delete',
  'key.create',
  'key.revoke',
  'share.create',
  'share.revoke',
  'site.deploy',
  'site.update',
  'site.preview',
  'index.reconcile',
  'reconcile.remove',
]

/** The audit trail (service admins): newest first, filtered by bucket, actor and action, 50 at a time. */
export function AuditPage(props: { client: CofferClient }) {
  const { client } = props
  const [filters, setFilters] = useState<AuditFilter>({})
  const [draft, setDraft] = useState<AuditFilter>({})
  const [events, setEvents] = useState<AuditEvent[] | undefined>()
  const [cursor, setCursor] = useState<string | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [names, setNames] = useState<Map<string, string>>(new Map())
  useEffect(() => {
    // Actors are `key:<id>`: people know their keys by name.
    client.keys.list().then(
      (keys) => setNames(new Map(keys.map((key) => [`key:${key.id}`, key.name]))),
      () => setNames(new Map()),
    )
  }, [client])
  const load = useCallback(
    (after: string | undefined) => {
      setError(undefined)
      client.auditPage({ ...filters, limit: PAGE, cursor: after }).then(
        (page) => {
          setEvents((shown) => (after === undefined ? page.events : [...(shown ?? []), ...page.events]))
          setCursor(page.cursor)
        },
        (e: unknown) => setError(messageOf(e)),
      )
    },
    [client, filters],
  )
  useEffect(() => load(undefined), [load])
  return (
    <main className="page admin-page">
      <div className="page-head">
        <h1>Audit trail</h1>
      </div>
      <form
        className="filters"
        onSubmit={(event: FormEvent) => {
          event.preventDefault()
          setFilters({ ...draft })
        }}
      >
        <label>
          Bucket
          <input
            value={draft.bucket ?? ''}
            placeholder="any"
            onChange={(e) => setDraft({ ...draft, bucket: e.target.value })}
          />
        </label>
        <label>
          Actor
          <select value={draft.actor ?? ''} onChange={(e) => setDraft({ ...draft, actor: e.target.value })}>
            <option value="">Any</option>
            {[...names].map(([actor, name]) => (
              <option key={actor} value={actor}>
                {`${name} (${actor.slice(4)})`}
              </option>
            ))}
          </select>
        </label>
        <label>
          Action
          <select value={draft.action ?? ''} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
            <option value="">Any</option>
            {ACTIONS.map((action) => (
              <option key={action}>{action}</option>
            ))}
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      {error === undefined ? null : <ErrorText message={error} />}
      {events === undefined && error === undefined ? <p aria-busy="true">Loading…</p> : null}
      {events?.length === 0 ? <p>No event matches.</p> : null}
      {events && events.length > 0 ? (
        <DataTable columns={['When', 'Actor', 'Action', 'Bucket', 'Key']} className="audit">
          {events.map((event) => (
            <tr key={event.id}>
              <td>{formatDate(event.at)}</td>
              <td className="break" title={event.actor}>
                {names.get(event.actor) ?? event.actor}
              </td>
              <td>{event.action}</td>
              <td>{event.bucket ?? ''}</td>
              <td className="break">{event.key ?? ''}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {cursor === undefined ? null : (
        <button type="button" onClick={() => load(cursor)}>
          Older events
        </button>
      )}
    </main>
  )
}
