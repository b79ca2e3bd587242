import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.ts'

/** Which events of the audit trail to read: exact matches, newest first, in pages. */
export interface AuditQuery {
  bucket?: string | undefined
  key?: string | undefined
  actor?: string | undefined
  action?: string | undefined
  /** The last id of the previous page. */
  cursor?: string | undefined
  limit: number
}

/** One mutation as the trail recorded it. */
export interface AuditEvent {
  id: string
  at: string
  actor: string
  ip: string | null
  action: string
  bucket: string | null
  key: string | null
  detail: Record<string, unknown> | null
}

/** A page of the audit trail, newest first; `cursor` names the next page when there is one. */
export async function readAuditTrail(
  db: Kysely<Database>,
  query: AuditQuery,
): Promise<{ events: AuditEvent[]; cursor?: string }> {
  let select = db.selectFrom('audit_events').selectAll()
  if (query.bucket !== undefined) select = select.where('bucket', '=', query.bucket)
  if (query.key !== undefined) select = select.where('key', '=', query.key)
  if (query.actor !== undefined) select = select.where('actor', '=', query.actor)
  if (query.action !== undefined) select = select.where('action', '=', query.action)
  if (query.cursor !== undefined) select = select.where('id', '<', query.cursor)
  // One row more than asked says whether another page follows.
  const rows = await select
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute()
  const events = rows.slice(0, query.limit).map((row) => ({
    ...row,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
  }))
  const last = events.at(-1)
  return rows.length > query.limit && last ? { events, cursor: last.id } : { events }
}
