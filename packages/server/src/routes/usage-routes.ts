import { Type } from 'typebox'
import { authorize, principalOf } from '../domain/auth/authorize.ts'
import { requireServiceAdmin } from '../domain/auth/scopes.ts'
import { bucketUsage, serviceUsage, usageSeries } from '../domain/buckets/usage-report.ts'
import type { AppContext } from '../http/app-context.ts'
import type { App } from '../http/typed-app.ts'
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

/** Usage statistics: what each bucket stores now, and its traffic per day and per key owner. */
export function usageRoutes(app: App, ctx: AppContext): void {
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
      // The bucket as it is now: the one authorize returned may be a few seconds old.
      const bucket = await ctx.buckets.get(objects.bucket.name)
      return bucketUsage(ctx.usage, bucket, request.query.days)
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
      return serviceUsage(ctx.usage, await ctx.buckets.list(), request.query.days)
    },
  )
  app.get(
    '/v1/usage/series',
    {
      schema: {
        tags: ['usage'],
        summary: 'Traffic per day, by bucket or by API key name, for charts (service admin)',
        description:
          'Owners that are not API keys (JWT subjects, anonymous readers) are their own series. Days without traffic are left out.',
        querystring: Type.Object({
          ...Period.properties,
          by: Type.Union([Type.Literal('bucket'), Type.Literal('name')], { default: 'bucket' }),
        }),
        response: {
          200: Type.Object({
            points: Type.Array(Type.Object({ day: Type.String(), series: Type.String(), ...TrafficJson })),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      requireServiceAdmin(await principalOf(ctx, request))
      const { days, by } = request.query
      if (by === 'bucket') return { points: await usageSeries(ctx.usage, days, (row) => row.bucket) }
      const names = new Map((await ctx.keys.list()).map((key) => [`key:${key.id}`, key.name]))
      return { points: await usageSeries(ctx.usage, days, (row) => names.get(row.owner) ?? row.owner) }
    },
  )
}
