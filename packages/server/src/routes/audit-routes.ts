import { Type } from 'typebox'
import { actorOf, principalOf } from '../domain/auth/authorize.ts'
import { requireServiceAdmin } from '../domain/auth/scopes.ts'
import type { AppContext } from '../http/app-context.ts'
import type { App } from '../http/typed-app.ts'
import { AuditPageJson, ERROR_RESPONSES } from './schemas.ts'

/** The audit trail, and reconcile on demand: what the object index knows of its own history. */
export function auditRoutes(app: App, ctx: AppContext): void {
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
          200: AuditPageJson,
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      requireServiceAdmin(await principalOf(ctx, request))
      return ctx.catalog.auditTrail(request.query)
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
      await ctx.catalog.audit(actorOf(request, principal), {
        action: 'index.reconcile',
        ...(bucket === undefined ? {} : { bucket }),
        detail: { added: report.added, removed: report.removed, updated: report.updated },
      })
      return report
    },
  )
}
