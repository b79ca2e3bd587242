import { type Static, Type } from 'typebox'
import { type App, type AppContext, actorOf, authorize, principalOf } from '../app-context.ts'
import { requireServiceAdmin } from '../auth/scopes.ts'
import type { Bucket } from '../buckets/bucket-store.ts'
import type { DailyUsage, Traffic } from '../index/usage.ts'
import { BucketParams, ERROR_RESPONSES } from './schemas.ts'

const TrafficJson = {
  bytesIn: Type.Integer(),
  bytesOut: Type.Integer(),
  requests: Type.Integer(),
}
const Stored = {
  bytes: Type.Integer({ description: 'Bytes stored now' }),
  objects: Type.Integer({ description: 'Objects stored now' }),
  quotaBytes: Type.Optional(Type.Integer()),
  quotaObjects: Type.Optional(Type.Integer()),
}
const StoredJson = Type.Object(Stored)
const Days = Type.Array(Type.Object({ day: Type.String(), ...TrafficJson }), {
  description: 'Traffic per day',
})
const Owners = Type.Array(Type.Object({ owner: Type.String(), ...TrafficJson }), {
  description: 'Traffic per key owner over the period',
})
const BucketUsage = Type.Object({ bucket: Type.String(), ...Stored, days: Days, owners: Owners })
const Period = Type.Object({
  days: Type.Integer({ minimum: 1, maximum: 366, default: 30, description: 'Days back, today included' }),
})

/** The first day of a period of `days` days that ends today (UTC). */
function since(days: number): string {
  return new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10)
}

/** Sums traffic rows by a field of theirs, in the order the field's values first appear. */
function sumBy<K extends 'day' | 'owner' | 'bucket'>(rows: DailyUsage[], field: K) {
  const sums = new Map<string, Traffic>()
  for (const row of rows) {
    const sum = sums.get(row[field]) ?? { bytesIn: 0, bytesOut: 0, requests: 0 }
    sum.bytesIn += row.bytesIn
    sum.bytesOut += row.bytesOut
    sum.requests += row.requests
    sums.set(row[field], sum)
  }
  return [...sums].map(([value, sum]) => ({ [field]: value, ...sum }) as { [F in K]: string } & Traffic)
}

function stored(bucket: Bucket): Static<typeof StoredJson> {
  const json: Static<typeof StoredJson> = { bytes: bucket.usedBytes, objects: bucket.usedObjects }
  if (bucket.quotaBytes !== undefined) json.quotaBytes = bucket.quotaBytes
  if (bucket.quotaObjects !== undefined) json.quotaObjects = bucket.quotaObjects
  return json
}

/** Usage statistics, the audit trail and reconcile: what the object index knows. */
export function indexRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/v1/buckets/:bucket/usage',
    {
      schema: {
        tags: ['usage'],
        summary: "A bucket's usage: stored now, and traffic per day and per key owner",
        description: 'Needs list or admin on the bucket. Traffic counts are written every few seconds.',
        params: BucketParams,
        querystring: Period,
        response: { 200: BucketUsage, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const objects = await authorize(ctx, request, request.params.bucket, ['', 'list'])
      const bucket = await ctx.buckets.get(objects.bucket.name)
      const rows = await ctx.usage.daily({ bucket: bucket.name, since: since(request.query.days) })
      return {
        bucket: bucket.name,
        ...stored(bucket),
        days: sumBy(rows, 'day'),
        owners: sumBy(rows, 'owner'),
      }
    },
  )

  app.get(
    '/v1/usage',
    {
      schema: {
        tags: ['usage'],
        summary: 'Usage of every bucket (service admin)',
        querystring: Period,
        response: {
          200: Type.Object({
            bytes: Type.Integer(),
            objects: Type.Integer(),
            buckets: Type.Array(Type.Object({ bucket: Type.String(), ...Stored, ...TrafficJson })),
            days: Days,
            owners: Owners,
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      requireServiceAdmin(await principalOf(ctx, request))
      const buckets = await ctx.buckets.list()
      const rows = await ctx.usage.daily({ since: since(request.query.days) })
      const traffic = new Map(sumBy(rows, 'bucket').map((sum) => [sum.bucket, sum]))
      return {
        bytes: buckets.reduce((sum, b) => sum + b.usedBytes, 0),
        objects: buckets.reduce((sum, b) => sum + b.usedObjects, 0),
        buckets: buckets.map((b) => ({
          bucket: b.name,
          ...stored(b),
          ...(traffic.get(b.name) ?? { bytesIn: 0, bytesOut: 0, requests: 0 }),
        })),
        days: sumBy(rows, 'day'),
        owners: sumBy(rows, 'owner'),
      }
    },
  )

  const Event = Type.Object({
    id: Type.String(),
    at: Type.String({ format: 'date-time' }),
    actor: Type.String(),
    ip: Type.Union([Type.String(), Type.Null()]),
    action: Type.String(),
    bucket: Type.Union([Type.String(), Type.Null()]),
    key: Type.Union([Type.String(), Type.Null()]),
    detail: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  })
  app.get(
    '/v1/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'The audit trail of mutations, newest first (service admin)',
        querystring: Type.Object({
          bucket: Type.Optional(Type.String()),
          key: Type.Optional(Type.String()),
          actor: Type.Optional(Type.String()),
          action: Type.Optional(Type.String()),
          cursor: Type.Optional(Type.String({ maxLength: 64 })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
        response: {
          200: Type.Object({ events: Type.Array(Event), cursor: Type.Optional(Type.String()) }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      requireServiceAdmin(await principalOf(ctx, request))
      const { bucket, key, actor, action, cursor, limit } = request.query
      let query = ctx.db.selectFrom('audit_events').selectAll()
      if (bucket !== undefined) query = query.where('bucket', '=', bucket)
      if (key !== undefined) query = query.where('key', '=', key)
      if (actor !== undefined) query = query.where('actor', '=', actor)
      if (action !== undefined) query = query.where('action', '=', action)
      if (cursor !== undefined) query = query.where('id', '<', cursor)
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute()
      const events = rows.slice(0, limit).map((row) => ({
        ...row,
        detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
      }))
      const last = events.at(-1)
      return rows.length > limit && last ? { events, cursor: last.id } : { events }
    },
  )

  app.post(
    '/v1/reconcile',
    {
      schema: {
        tags: ['audit'],
        summary: 'Repair the index from the store now (service admin); answers with the report',
        body: Type.Optional(
          Type.Object({ bucket: Type.Optional(Type.String()) }, { additionalProperties: false }),
        ),
      },
    },
    async (request) => {
      const principal = await principalOf(ctx, request)
      requireServiceAdmin(principal)
      const bucket = request.body?.bucket
      if (bucket !== undefined) await ctx.buckets.get(bucket)
      const report = await ctx.reconcile(bucket === undefined ? {} : { bucket })
      await ctx.index.audit(actorOf(request, principal), {
        action: 'index.reconcile',
        ...(bucket === undefined ? {} : { bucket }),
        detail: { added: report.added, removed: report.removed, updated: report.updated },
      })
      return report
    },
  )

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (service admin, or anyone with COFFER_METRICS_PUBLIC=true)',
      },
    },
    async (request, reply) => {
      if (!ctx.metricsPublic) requireServiceAdmin(await principalOf(ctx, request))
      const text = await ctx.metrics.registry.metrics()
      return reply.type(ctx.metrics.registry.contentType).send(text)
    },
  )
}
