import { MAX_EXPIRES_IN, normalizeKey } from '@coffer/core'
import { Type } from 'typebox'
import { authorize } from '../domain/auth/authorize.ts'
import { renderTransform } from '../domain/renders/render-transform.ts'
import type { AppContext } from '../http/app-context.ts'
import { sendRender } from '../http/send-render.ts'
import { signRenders } from '../http/sign-render.ts'
import type { App } from '../http/typed-app.ts'
import { refuseSubresource } from './object-routes.ts'
import { BucketParams, ERROR_RESPONSES, ObjectParams, RenderUrlsJson } from './schemas.ts'

const tags = ['renders']

/** Render parameters, for the OpenAPI document; the parser checks them (see @coffer/images). */
export const RenderQuery = Type.Object({
  w: Type.Optional(Type.String({ description: 'Width in CSS pixels, 1–4096' })),
  h: Type.Optional(Type.String({ description: 'Height in CSS pixels, 1–4096' })),
  fit: Type.Optional(Type.String({ description: 'cover (default), contain, fill, inside, outside' })),
  position: Type.Optional(Type.String({ description: 'centre, top, top-left, …, attention, entropy' })),
  format: Type.Optional(
    Type.String({ description: 'auto (default: AVIF, WebP, the original), avif, webp, jpeg, png, origin' }),
  ),
  q: Type.Optional(Type.String({ description: 'Quality 20–100' })),
  dpr: Type.Optional(Type.String({ description: 'Device pixel ratio 1–3' })),
  frame: Type.Optional(Type.String({ description: 'first: the first frame of an animation' })),
  variant: Type.Optional(Type.String({ description: "One of the bucket's named variants" })),
  v: Type.Optional(Type.String({ description: 'A version tag (the etag): makes the response immutable' })),
})

/** Keys one `render-urls` request may sign: a listing page's worth. */
export const MAX_RENDER_URLS = 1000

/**
 * `GET /v1/buckets/:bucket/render/*key?w=&h=…` with credentials (read on the key): any transform,
 * unless the bucket renders none. An attachment, as every object body on the API origin.
 * `POST /v1/buckets/:bucket/render-urls`: signed render URLs for many keys with one transform, so
 * that a UI shows a private folder's thumbnails with one request per page, not one per image.
 */
export function renderRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/v1/buckets/:bucket/render/*',
    {
      schema: {
        tags,
        summary: 'Render an image (resize, crop, convert)',
        params: ObjectParams,
        querystring: RenderQuery,
      },
    },
    async (request, reply) => {
      refuseSubresource(request)
      const key = normalizeKey(request.params['*'])
      const objects = await authorize(ctx, request, request.params.bucket, [key, 'read'])
      const query = new URL(request.url, 'http://x').searchParams
      query.delete('v')
      const transform = renderTransform(objects.bucket, query, 'credential')
      reply.header('content-disposition', 'attachment')
      return sendRender(request, reply, ctx.renders, {
        objects,
        key,
        transform,
        cacheControl: 'private, no-cache',
      })
    },
  )
  app.post(
    '/v1/buckets/:bucket/render-urls',
    {
      schema: {
        tags,
        summary: 'Signed render URLs for many keys, one transform sealed in each',
        description:
          'Needs the sign permission and read on every key, as `POST …/sign` with a transform does; ' +
          "one key outside the credential's scope refuses the whole batch.",
        params: BucketParams,
        body: Type.Object(
          {
            keys: Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), {
              minItems: 1,
              maxItems: MAX_RENDER_URLS,
            }),
            transform: Type.Union([
              Type.String({ maxLength: 500 }),
              Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
            ]),
            expiresIn: Type.Integer({ minimum: 1, maximum: MAX_EXPIRES_IN, default: 3600 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: RenderUrlsJson,
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const { keys: raw, transform, expiresIn } = request.body
      const keys = raw.map(normalizeKey)
      const signed = await signRenders(ctx, request, request.params.bucket, keys, transform, expiresIn)
      return {
        urls: keys.map((key, i) => ({ key, url: signed.urls[i] as string })),
        expiresAt: signed.expiresAt,
      }
    },
  )
}
