import { principalOf } from '../domain/auth/authorize.ts'
import { requireServiceAdmin } from '../domain/auth/scopes.ts'
import type { AppContext } from '../http/app-context.ts'
import type { App } from '../http/typed-app.ts'

/** `/metrics` for Prometheus. */
export function metricsRoutes(app: App, ctx: AppContext): void {
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
