import { isStorageError, type NormalizedKey, type ObjectInfo } from '@coffer/core'
import { ifNoneMatchMatches, resolveRange } from '@coffer/core/driver'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { objectsFor } from '../domain/auth/authorize.ts'
import type { BucketObjects } from '../domain/buckets/bucket-objects.ts'
import {
  type DeadLinkReason,
  deadLink,
  deadReason,
  type Share,
  type ShareCharge,
} from '../domain/shares/share-store.ts'
import type { AppContext } from '../http/app-context.ts'
import { wantsHtml } from '../http/html-page.ts'
import { rangeOf, serveHead, serveObject } from '../http/serve-object.ts'
import { sendDeadLinkPage, sendLandingPage } from '../http/share-pages.ts'
import type { App } from '../http/typed-app.ts'

/** A dead link: a page for a browser, the JSON problem (404) for anything else. */
function dead(request: FastifyRequest, reply: FastifyReply, why: DeadLinkReason): FastifyReply {
  if (!wantsHtml(request)) throw deadLink(why)
  return sendDeadLinkPage(reply, why)
}

/** Where a GET's answer starts and how many bytes it holds, as the share's budget counts them. */
function chargeOf(request: FastifyRequest, info: ObjectInfo): ShareCharge | undefined {
  // A 304 sends no bytes: nothing to charge.
  const ifNoneMatch = request.headers['if-none-match']
  if (ifNoneMatch !== undefined && ifNoneMatchMatches(ifNoneMatch, info.etag)) return undefined
  const spec = rangeOf(request)
  const range = spec === undefined ? undefined : resolveRange(spec, info.size)
  if (range === undefined) return { start: 0, length: info.size, size: info.size }
  return { start: range.start, length: range.end - range.start + 1, size: info.size }
}

/**
 * Share links on the content origin: `/share/<id>.<mac>` answers the shared object, as its maker
 * would read it, while the share lives (not revoked, not expired, its maker's key not revoked, its
 * downloads not spent). A browser first gets a page with a Download button (`?download`), so that
 * opening the link (or a chat app's preview of it) spends no download. Nothing is cached
 * (`no-store`), so a revoke ends the link at once.
 */
export function shareAccessRoutes(app: App, ctx: AppContext): void {
  /** The live share and its objects, or the reason it is dead. */
  async function open(
    request: FastifyRequest<{ Params: { token: string } }>,
  ): Promise<{ share: Share; objects: BucketObjects } | DeadLinkReason> {
    const id = ctx.shares.idOf(request.params.token)
    const share = id === undefined ? undefined : await ctx.shares.find(id)
    const why = deadReason(share)
    if (why !== undefined || share === undefined) return why ?? 'unknown'
    const [kind, keyId] = share.createdBy.split(/:(.*)/s)
    // A share dies with the API key that made it, as the signed URLs that key issued do.
    if (kind === 'key' && (await ctx.keys.findActiveById(keyId ?? '')) === undefined) return 'revoked'
    const bucket = await ctx.buckets.recent(share.bucket)
    if (bucket === undefined) return 'gone'
    return { share, objects: objectsFor(ctx, request, bucket, share.createdBy, 'share') }
  }

  /** The object's record, or undefined when it is no longer there. */
  async function statOf(objects: BucketObjects, key: NormalizedKey): Promise<ObjectInfo | undefined> {
    try {
      return await objects.stat(key)
    } catch (error) {
      if (isStorageError(error, 'NotFound')) return undefined
      throw error
    }
  }

  const schema = {
    tags: ['access without credentials'],
    params: Type.Object({ token: Type.String({ maxLength: 100 }) }),
  }
  app.get(
    '/share/:token',
    {
      schema: {
        ...schema,
        summary: 'Download through a share link (counted)',
        description:
          'A browser (Accept: text/html) gets a page with the file name and a Download button, which ' +
          'is not counted; `?download` (the button) and every other client get the bytes, counted.',
        querystring: Type.Object({ download: Type.Optional(Type.String({ maxLength: 10 })) }),
      },
    },
    async (request, reply) => {
      const opened = await open(request)
      if (typeof opened === 'string') return dead(request, reply, opened)
      const { share, objects } = opened
      const key = share.key as NormalizedKey
      const info = await statOf(objects, key)
      if (info === undefined) return dead(request, reply, 'gone')
      const download = request.query.download !== undefined
      if (!download && wantsHtml(request)) {
        const spent = share.maxDownloads !== undefined && share.downloads >= share.maxDownloads
        return spent ? dead(request, reply, 'used up') : sendLandingPage(reply, share, info)
      }
      const charge = chargeOf(request, info)
      if (charge !== undefined && !(await ctx.shares.charge(share.id, charge))) {
        return dead(request, reply, deadReason(await ctx.shares.find(share.id)) ?? 'used up')
      }
      return serveObject(request, reply, objects, key, { noStore: true, download })
    },
  )
  app.head(
    '/share/:token',
    { schema: { ...schema, summary: 'Headers through a share link (not counted)' } },
    async (request, reply) => {
      const opened = await open(request)
      if (typeof opened === 'string') throw deadLink(opened)
      // A spent link tells nothing more about its file, not even its size or metadata.
      const { share } = opened
      if (share.maxDownloads !== undefined && share.downloads >= share.maxDownloads) throw deadLink('used up')
      return serveHead(reply, opened.objects, opened.share.key as NormalizedKey, { noStore: true })
    },
  )
}
