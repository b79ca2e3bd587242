import { type Static, Type } from 'typebox'
import { principalOf } from '../domain/auth/authorize.ts'
import type { AppContext } from '../http/app-context.ts'
import type { App } from '../http/typed-app.ts'
import { ERROR_RESPONSES, ScopeSchema } from './schemas.ts'

const WhoamiJson = Type.Object({
  kind: Type.Union([Type.Literal('key'), Type.Literal('jwt')]),
  id: Type.String({ description: "The API key's id, or the JWT's issuer and subject" }),
  name: Type.String({ description: "The API key's name, or the JWT's issuer and subject" }),
  scopes: Type.Array(ScopeSchema),
  expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'Absent: it does not expire' })),
})

/**
 * `GET /v1/whoami`: the credential of the request as the service sees it (for the UI, which hides
 * what it cannot do, and `coffer whoami`). Any valid credential may ask; none is a 401.
 */
export function whoamiRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/v1/whoami',
    {
      schema: {
        tags: ['API keys'],
        summary: 'The credential of this request: its name, scopes and expiry',
        response: { 200: WhoamiJson, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const principal = await principalOf(ctx, request)
      // Keys are few; their names are read with the list the admin pages use.
      const key =
        principal.kind === 'key' ? (await ctx.keys.list()).find((k) => k.id === principal.id) : undefined
      const me: Static<typeof WhoamiJson> = {
        kind: principal.kind,
        id: principal.id,
        name: key?.name ?? principal.id,
        scopes: principal.scopes,
      }
      if (principal.expiresAt !== undefined) me.expiresAt = new Date(principal.expiresAt).toISOString()
      return me
    },
  )
}
