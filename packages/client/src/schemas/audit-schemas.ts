import { Type } from 'typebox'

/** One mutation in the audit trail: who did what to which bucket and key, and when. */
export const AuditEventJson = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  actor: Type.String(),
  ip: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  bucket: Type.Union([Type.String(), Type.Null()]),
  key: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
})

/** One page of the audit trail, newest first; `cursor` is there when older events follow. */
export const AuditPageJson = Type.Object({
  events: Type.Array(AuditEventJson),
  cursor: Type.Optional(Type.String()),
})
