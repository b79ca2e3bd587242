import { normalizeKey, StorageError } from '@coffer/core'
import { Type } from 'typebox'
import { objectsFor } from '../domain/auth/authorize.ts'
import { renderTransform } from '../domain/renders/render-transform.ts'
import type { AppContext } from '../http/app-context.ts'
import { checkIssuer } from '../http/presign.ts'
import { renderCacheControl, sendRender } from '../http/send-render.ts'
import type { App } from '../http/typed-app.ts'
import { RenderQuery } from './render-routes.ts'
import { ObjectParams } from './schemas.ts'

const tags = ['access without credentials']

/** Where signed render URLs start on the content origin. */
export const SIGNED_RENDER_PATH = '/render-signed/'

/** The query of a request URL without the `v` version tag, which only the cache headers read. */
function renderQuery(url: string): URLSearchParams {
  const query = new URL(url, 'http://x').searchParams
  query.delete('v')
  return query
}

/**
 * Renders on the content origin, without credentials: `/render/<bucket>/<key>?w=…` for public
 * buckets (held to the bucket's `renders` mode: `variants` allows only `?variant=`), and signed
 * render URLs `/render-signed/<transform>/<bucket>/<key>?X-Coffer-…`, whose transform is sealed in
 * the signature and which die with the credential that signed them.
 */
export function renderAccessRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/render/:bucket/*',
    {
      schema: {
        tags,
        summary: 'Render an image of a public bucket',
        params: ObjectParams,
        querystring: RenderQuery,
      },
    },
    async (request, reply) => {
      const { bucket: name } = request.params
      const bucket = await ctx.buckets.recent(name)
      // A private bucket answers as a missing one: anonymous callers learn nothing about it.
      if (!bucket?.public) throw new StorageError('NotFound', `no public bucket "${name}"`)
      const transform = renderTransform(bucket, renderQuery(request.url), 'anonymous')
      const objects = objectsFor(ctx, request, bucket, undefined)
      const key = normalizeKey(request.params['*'])
      return sendRender(request, reply, ctx.renders, {
        objects,
        key,
        transform,
        cacheControl: renderCacheControl(request, 'public'),
      })
    },
  )

  app.get(
    `${SIGNED_RENDER_PATH}*`,
    {
      schema: {
        tags,
        summary: 'Render an image with a signed render URL',
        querystring: Type.Record(Type.String(), Type.String()),
      },
    },
    async (request, reply) => {
      const at = request.url.indexOf('?')
      const rawPath = request.url.slice(SIGNED_RENDER_PATH.length, at < 0 ? undefined : at)
      let path: string
      try {
        path = rawPath.split('/').map(decodeURIComponent).join('/')
      } catch {
        throw new StorageError('AccessDenied', 'signed URL refused: its path is not a valid key')
      }
      const query = new URLSearchParams(at < 0 ? '' : request.url.slice(at + 1))
      const { bucket, key, transform, grant } = ctx.renderSigner.verify(path, request.method, query)
      await checkIssuer(ctx, grant)
      const stored = await ctx.buckets.getRecent(bucket)
      if (stored.renders === 'none')
        throw new StorageError('AccessDenied', `bucket "${bucket}" renders no images`)
      const objects = objectsFor(ctx, request, stored, grant.issuer, 'signed-url')
      const maxAge = Math.floor((grant.expiresAt.getTime() - Date.now()) / 1000)
      return sendRender(request, reply, ctx.renders, {
        objects,
        key,
        transform,
        cacheControl: renderCacheControl(request, 'private', maxAge),
      })
    },
  )
}
