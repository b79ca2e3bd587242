import { Type } from 'typebox'
import { authorize, principalOf } from '../domain/auth/authorize.ts'
import { requireServiceAdmin } from '../domain/auth/scopes.ts'
import { bucketUsage, serviceUsage, usageSeries } from '../domain/buckets/usage-report.ts'
import type { AppContext } from '../http/app-context.ts'
import type { App } from '../http/typed-app.ts'
import {
  BucketParams,
  BucketUsageJson,
  ERROR_RESPONSES,
  ServiceUsageJson,
  UsageSeriesJson,
} from './schemas.ts'

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
        response: { 200: BucketUsageJson, ...ERROR_RESPONSES },
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
          200: ServiceUsageJson,
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
          200: UsageSeriesJson,
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
