import { StorageError } from '@coffer/core'
import { Type } from 'typebox'
import { actorOf, principalOf } from '../domain/auth/authorize.ts'
import { parseScopes, requireServiceAdmin } from '../domain/auth/scopes.ts'
import type { AppContext } from '../http/app-context.ts'
import type { App } from '../http/typed-app.ts'
import { ERROR_RESPONSES, ScopeSchema } from './schemas.ts'

const tags = ['API keys']

const ApiKeyJson = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scopes: Type.Array(ScopeSchema),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  revokedAt: Type.Optional(Type.String({ format: 'date-time' })),
  lastUsedAt: Type.Optional(
    Type.String({ format: 'date-time', description: 'Last request it authenticated (to the minute)' }),
  ),
})

/** API keys, for admins of the whole service: create (the token is shown once), list, revoke. */
export function keyRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/v1/keys',
    {
      schema: {
        tags,
        summary: 'Create an API key; its token is in this response only',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            scopes: Type.Array(ScopeSchema, { minItems: 1, maxItems: 100 }),
            expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
            s3: Type.Optional(
              Type.Boolean({
                description: 'Also issue S3 credentials (access key id and secret) with these scopes',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            key: ApiKeyJson,
            token: Type.String(),
            s3: Type.Optional(
              Type.Object(
                { accessKeyId: Type.String(), secretAccessKey: Type.String() },
                { description: 'For the S3 endpoint; the secret is in this response only' },
              ),
            ),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const principal = await principalOf(ctx, request)
      requireServiceAdmin(principal)
      const { name, scopes, expiresAt } = request.body
      const input = { name, scopes: parseScopes(scopes) }
      if (expiresAt !== undefined) {
        const date = new Date(expiresAt)
        if (Number.isNaN(date.getTime())) throw new StorageError('InvalidArgument', 'expiresAt is not a date')
        Object.assign(input, { expiresAt: date })
      }
      const created = await ctx.keys.create(input)
      const s3 = request.body.s3 === true ? await ctx.s3Credentials.create(created.key.id) : undefined
      await ctx.catalog.audit(actorOf(request, principal), {
        action: 'key.create',
        detail: {
          id: created.key.id,
          name,
          scopes: input.scopes,
          ...(s3 ? { s3AccessKeyId: s3.accessKeyId } : {}),
        },
      })
      return reply.code(201).send(s3 === undefined ? created : { ...created, s3 })
    },
  )

  app.get(
    '/v1/keys',
    {
      schema: {
        tags,
        summary: 'Every API key, without tokens',
        response: { 200: Type.Object({ keys: Type.Array(ApiKeyJson) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      requireServiceAdmin(await principalOf(ctx, request))
      return { keys: await ctx.keys.list() }
    },
  )

  app.delete(
    '/v1/keys/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an API key',
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        response: { 204: Type.Null({ description: 'Done' }), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const principal = await principalOf(ctx, request)
      requireServiceAdmin(principal)
      await ctx.keys.revoke(request.params.id)
      await ctx.catalog.audit(actorOf(request, principal), {
        action: 'key.revoke',
        detail: { id: request.params.id },
      })
      return reply.code(204).send(null)
    },
  )
}
