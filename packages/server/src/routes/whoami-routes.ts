import { principalOf } from '../domain/auth/authorize.ts'
import type { AppContext } from '../http/app-context.ts'
import type { App } from '../http/typed-app.ts'
import { ERROR_RESPONSES, WhoamiJson } from './schemas.ts'

/**
 * Who the credential is and what it may do, so that a client (the web UI, `coffer whoami`) shows only
 * what will work. Any valid credential may ask about itself; it learns nothing it does not hold.
 */
export function whoamiRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/v1/whoami',
    {
      schema: {
        tags: ['API keys'],
        summary: "The credential's name, scopes and expiry",
        response: { 200: WhoamiJson, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const principal = await principalOf(ctx, request)
      const key = principal.kind === 'key' ? await ctx.keys.findActiveById(principal.id) : undefined
      return {
        kind: principal.kind,
        id: principal.id,
        name: key?.name ?? principal.id,
        scopes: principal.scopes,
        ...(principal.expiresAt === undefined
          ? {}
          : { expiresAt: new Date(principal.expiresAt).toISOString() }),
      }
    },
  )
}
