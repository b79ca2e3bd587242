import { normalizeKey, StorageError } from '@coffer/core'
import { Type } from 'typebox'
import { actorOf, authorize, principalOf } from '../domain/auth/authorize.ts'
import { allows, denied, type Principal, requireServiceAdmin } from '../domain/auth/scopes.ts'
import type { Share } from '../domain/shares/share-store.ts'
import type { AppContext } from '../http/app-context.ts'
import { boundedExpiry } from '../http/presign.ts'
import { SHARE_PATH } from '../http/request-log.ts'
import type { App } from '../http/typed-app.ts'
import { BucketParams, ERROR_RESPONSES, ShareJson, ShareListJson as Shares } from './schemas.ts'

const tags = ['shares']
/** The shortest share, and the longest when the bucket sets none (the longest signed URL). */
export const MIN_SHARE_SECONDS = 15 * 60
export const DEFAULT_MAX_SHARE_SECONDS = 7 * 24 * 3600

/** A lifetime for people: `7 days`, `12 hours`, `15 minutes`. */
function duration(seconds: number): string {
  const [unit, size] =
    seconds % 86_400 === 0 ? ['day', 86_400] : seconds % 3600 === 0 ? ['hour', 3600] : ['minute', 60]
  const count = Math.floor(seconds / size)
  return `${count} ${unit}${count === 1 ? '' : 's'}`
}

function idOf(principal: Principal): string {
  return `${principal.kind}:${principal.id}`
}

/**
 * Whether `principal` manages `share`: the credential that made it, or one with admin on its key.
 * Whoever may not is told the share does not exist.
 */
function manages(principal: Principal, share: Share): boolean {
  return share.createdBy === idOf(principal) || allows(principal.scopes, share.bucket, share.key, 'admin')
}

/**
 * Share links: made, listed and revoked through the API; opened on the content origin
 * (`/share/<token>`, see `shareAccessRoutes`). Making one needs what a signed GET URL needs (sign and
 * read on the key). A credential lists and revokes the shares it made, and every share of the keys it
 * has admin on; a service admin lists them by the name of the key that made them.
 */
export function shareRoutes(app: App, ctx: AppContext): void {
  const json = (share: Share) => ({
    ...share,
    url: `${ctx.contentUrl()}${SHARE_PATH}${ctx.shares.token(share.id)}`,
  })

  app.post(
    '/v1/buckets/:bucket/shares',
    {
      schema: {
        tags,
        summary: 'Share an object: a link that counts its downloads and can be revoked',
        description: `Needs sign and read on the key. Lasts ${MIN_SHARE_SECONDS} s up to the bucket's maxShareSeconds (7 days when unset); 7 days or that maximum by default, cut to the credential's own expiry.`,
        params: BucketParams,
        body: Type.Object(
          {
            key: Type.String({ minLength: 1, maxLength: 1024 }),
            expiresIn: Type.Optional(Type.Integer({ minimum: MIN_SHARE_SECONDS, description: 'Seconds' })),
            maxDownloads: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: ShareJson, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { bucket } = request.params
      const key = normalizeKey(request.body.key)
      const objects = await authorize(ctx, request, bucket, [key, 'sign'], [key, 'read'])
      const principal = await principalOf(ctx, request)
      const longest = objects.bucket.maxShareSeconds ?? DEFAULT_MAX_SHARE_SECONDS
      const wanted = request.body.expiresIn ?? Math.min(longest, DEFAULT_MAX_SHARE_SECONDS)
      if (wanted > longest) {
        throw new StorageError(
          'InvalidArgument',
          `links to files of bucket "${bucket}" last ${duration(longest)} at most`,
        )
      }
      // The object must be there: a link to nothing helps nobody.
      await objects.stat(key)
      const { expiresAt } = boundedExpiry(principal, wanted)
      const name =
        principal.kind === 'key'
          ? ((await ctx.keys.findActiveById(principal.id))?.name ?? principal.id)
          : principal.id
      const share = await ctx.shares.create({
        bucket,
        key,
        createdBy: idOf(principal),
        createdByName: name,
        expiresAt: new Date(expiresAt),
        ...(request.body.maxDownloads === undefined ? {} : { maxDownloads: request.body.maxDownloads }),
      })
      await ctx.catalog.audit(actorOf(request, principal), {
        action: 'share.create',
        bucket,
        key,
        detail: { id: share.id, expiresAt, maxDownloads: request.body.maxDownloads ?? null },
      })
      return reply.code(201).send(json(share))
    },
  )

  app.get(
    '/v1/buckets/:bucket/shares',
    {
      schema: {
        tags,
        summary: "A bucket's live shares that this credential manages, newest first (1000 at most)",
        params: BucketParams,
        querystring: Type.Object({ key: Type.Optional(Type.String({ maxLength: 1024 })) }),
        response: { 200: Shares, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { bucket } = request.params
      const principal = await principalOf(ctx, request)
      const wholeAdmin = allows(principal.scopes, bucket, '', 'admin')
      if (!wholeAdmin && !mayShareIn(principal, bucket)) throw denied(bucket, '', 'sign')
      // Checked after the scopes, so that a caller learns nothing of buckets outside them.
      await ctx.buckets.getRecent(bucket)
      const found = await ctx.shares.list(
        wholeAdmin ? { bucket } : { bucket, ...ownOrAdmin(principal, bucket) },
      )
      const key = request.query.key === undefined ? undefined : normalizeKey(request.query.key)
      const shares = found.filter(
        (share) => manages(principal, share) && (key === undefined || share.key === key),
      )
      return { shares: shares.map(json) }
    },
  )

  app.get(
    '/v1/shares',
    {
      schema: {
        tags,
        summary: 'Live shares of every bucket, made by keys of a name (service admin), newest first',
        querystring: Type.Object({ name: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: Shares, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      requireServiceAdmin(await principalOf(ctx, request))
      const { name } = request.query
      return { shares: (await ctx.shares.list(name === undefined ? {} : { createdByName: name })).map(json) }
    },
  )

  app.delete(
    '/v1/buckets/:bucket/shares/:id',
    {
      schema: {
        tags,
        summary: 'Revoke a share: its link stops at once',
        params: Type.Object({ bucket: Type.String(), id: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null({ description: 'Done' }), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { bucket, id } = request.params
      const principal = await principalOf(ctx, request)
      const share = await ctx.shares.find(id)
      if (share === undefined || share.bucket !== bucket || !manages(principal, share)) {
        throw new StorageError('NotFound', `no share "${id}" in bucket "${bucket}"`)
      }
      await ctx.shares.revoke(id)
      await ctx.catalog.audit(actorOf(request, principal), {
        action: 'share.revoke',
        bucket,
        key: share.key,
        detail: { id },
      })
      return reply.code(204).send(null)
    },
  )
}

/** Whether the principal may share anything in the bucket (sign, or admin, under some prefix). */
function mayShareIn(principal: Principal, bucket: string): boolean {
  return principal.scopes.some(
    (scope) =>
      (scope.bucket === '*' || scope.bucket === bucket) &&
      (scope.permissions.includes('sign') || scope.permissions.includes('admin')),
  )
}

/**
 * The listing's filter for a credential without admin on the whole bucket: its own shares, unless
 * it has admin under a prefix (then the bucket's, which `manages` narrows to that prefix).
 */
function ownOrAdmin(principal: Principal, bucket: string): { createdBy?: string } {
  const prefixAdmin = principal.scopes.some(
    (scope) => (scope.bucket === '*' || scope.bucket === bucket) && scope.permissions.includes('admin'),
  )
  return prefixAdmin ? {} : { createdBy: idOf(principal) }
}
