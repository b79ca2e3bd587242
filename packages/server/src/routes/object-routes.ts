import { normalizeKey, StorageError } from '@coffer/core'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { authorize } from '../domain/auth/authorize.ts'
import type { AppContext } from '../http/app-context.ts'
import { receiveObject } from '../http/receive-object.ts'
import { serveHead, serveObject } from '../http/serve-object.ts'
import type { App } from '../http/typed-app.ts'
import { ERROR_RESPONSES, ObjectJson, ObjectParams, objectJson } from './schemas.ts'

const PATH = '/v1/buckets/:bucket/objects/*'
const tags = ['objects']

/**
 * What a browser may load an object's body on the API origin as (Fetch's `Sec-Fetch-Dest`): a
 * `fetch` of an API client, or a download. Never a script, a style, a worker, a frame or an image: a
 * page of the API origin (the UI, `/docs`) must not be able to run or embed a tenant's bytes, even a
 * public object that needs no credentials.
 */
const LOADABLE_AS = new Set(['empty', 'document'])

/** Refuses a browser's load of an object as a subresource of an API-origin page (see LOADABLE_AS). */
function refuseSubresource(request: FastifyRequest): void {
  const dest = request.headers['sec-fetch-dest']
  if (typeof dest === 'string' && !LOADABLE_AS.has(dest.toLowerCase())) {
    throw new StorageError(
      'AccessDenied',
      `an object on the API origin cannot be loaded as ${dest}: use its signed or public URL on the content origin`,
    )
  }
}

/**
 * One object: PUT (raw body), GET (Range, If-None-Match; always an attachment, `?download` is kept
 * for old clients), HEAD and DELETE. Register in a scope whose content-type parser leaves bodies
 * unread (see `rawBodyScope`).
 */
export function objectRoutes(app: App, ctx: AppContext): void {
  app.put(
    PATH,
    {
      schema: {
        tags,
        summary: 'Upload an object (raw body)',
        description:
          'The body is the object. Content-Type, Cache-Control, Content-Disposition and x-coffer-meta-* headers ' +
          'are kept; If-None-Match: * creates only (412 when the key exists).',
        params: ObjectParams,
        response: { 200: ObjectJson, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const key = normalizeKey(request.params['*'])
      const objects = await authorize(ctx, request, request.params.bucket, [key, 'write'])
      const info = await receiveObject(ctx.bodyLimits, request, reply, objects, key)
      reply.header('etag', info.etag)
      return objectJson(info)
    },
  )

  app.get(
    PATH,
    {
      schema: {
        tags,
        summary: 'Download an object',
        description:
          'Range gives 206; If-None-Match gives 304. Every type answers as an attachment under a ' +
          'sandboxing CSP: browsers never render user bytes on the API origin (the content origin ' +
          'serves them inline, through signed and public URLs).',
        params: ObjectParams,
        querystring: Type.Object({ download: Type.Optional(Type.String()) }),
      },
    },
    async (request, reply) => {
      refuseSubresource(request)
      const key = normalizeKey(request.params['*'])
      const objects = await authorize(ctx, request, request.params.bucket, [key, 'read'])
      return serveObject(request, reply, objects, key, { neverRender: true })
    },
  )

  app.head(
    PATH,
    { schema: { tags, summary: "An object's headers", params: ObjectParams } },
    async (request, reply) => {
      refuseSubresource(request)
      const key = normalizeKey(request.params['*'])
      const objects = await authorize(ctx, request, request.params.bucket, [key, 'read'])
      return serveHead(reply, objects, key, { neverRender: true })
    },
  )

  app.delete(
    PATH,
    {
      schema: {
        tags,
        summary: 'Delete an object (idempotent)',
        params: ObjectParams,
        response: { 204: Type.Null({ description: 'Done' }), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const key = normalizeKey(request.params['*'])
      const objects = await authorize(ctx, request, request.params.bucket, [key, 'delete'])
      await objects.delete(key)
      return reply.code(204).send(null)
    },
  )
}
