import { normalizeKey, normalizePrefix, StorageError } from '@coffer/core'
import { Type } from 'typebox'
import { type Access, authorize, objectsFor, principalOf } from '../domain/auth/authorize.ts'
import { ZipLinks, type ZipSelection } from '../domain/buckets/zip-links.ts'
import { planZip } from '../domain/buckets/zip-plan.ts'
import type { AppContext } from '../http/app-context.ts'
import { boundedExpiry, checkIssuer } from '../http/presign.ts'
import { zipStream } from '../http/send-zip.ts'
import type { App } from '../http/typed-app.ts'
import { BucketParams, ERROR_RESPONSES, ZipLinkJson } from './schemas.ts'

const tags = ['objects']
/** A zip link is a download about to start, not a share: it lasts two minutes. */
const ZIP_LINK_SECONDS = 120
/** The selection travels in the link; past this many bytes of keys, select their folder instead. */
const MAX_SELECTION_BYTES = 8 * 1024

/** The archive's file name: the folder's name (`summer.zip`), or the bucket's at its root. */
function archiveName(bucket: string, base: string): string {
  const folder = base.replace(/\/$/, '')
  return `${folder.slice(folder.lastIndexOf('/') + 1) || bucket}.zip`
}

/**
 * Download as zip: `POST /v1/buckets/:bucket/zip` checks the credential on every selected key and
 * folder and answers a short signed link; `GET /v1/zip/…` streams the archive as an attachment. Two
 * steps because a browser saves to disk only what it navigates to, and a navigation carries no
 * bearer token; the key never goes into a URL.
 */
export function zipRoutes(app: App, ctx: AppContext): void {
  const links = new ZipLinks(ctx.previewSecret)

  app.post(
    '/v1/buckets/:bucket/zip',
    {
      schema: {
        tags,
        summary: 'A short link that downloads objects and folders as one zip',
        description:
          'Needs read on each key, and list and read on each folder (a key ending in /). The archive ' +
          `names files below \`base\`; it holds at most 10,000 files and 4 GB. The link lasts ${ZIP_LINK_SECONDS} s.`,
        params: BucketParams,
        body: Type.Object(
          {
            keys: Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { minItems: 1, maxItems: 1000 }),
            base: Type.Optional(Type.String({ maxLength: 1024 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: ZipLinkJson,
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const { bucket } = request.params
      const keys = request.body.keys.map((k) => (k.endsWith('/') ? normalizePrefix(k) : normalizeKey(k)))
      const selection: ZipSelection = { keys: [...new Set(keys)], base: normalizePrefix(request.body.base) }
      if (Buffer.byteLength(JSON.stringify(selection)) > MAX_SELECTION_BYTES)
        throw new StorageError('TooLarge', 'too many items for one zip link: select their folder instead')
      const checks = selection.keys.flatMap((key): Access[] =>
        key.endsWith('/')
          ? [
              [key, 'list'],
              [key, 'read'],
            ]
          : [[key, 'read']],
      )
      await authorize(ctx, request, bucket, ...checks)
      // Counted now, so that a selection over the limits is refused here, in words, not as a failed download.
      const entries = await planZip(ctx.catalog, bucket, selection)
      const issuer = await principalOf(ctx, request)
      const { expiresIn, expiresAt } = boundedExpiry(issuer, ZIP_LINK_SECONDS)
      const url = links.sign(bucket, selection, {
        expiresIn,
        issuer: `${issuer.kind}:${issuer.id}`,
        fileName: archiveName(bucket, selection.base),
      })
      const bytes = entries.reduce((sum, e) => sum + e.size, 0)
      return { url, expiresAt, files: entries.length, bytes }
    },
  )

  app.get(
    '/v1/zip/:bucket/:digest',
    {
      schema: {
        tags,
        summary: 'The zip of a selection, streamed as an attachment (a link from POST …/zip)',
        params: Type.Object({ bucket: Type.String(), digest: Type.String({ maxLength: 64 }) }),
      },
    },
    async (request, reply) => {
      const { bucket, digest } = request.params
      const query = new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1))
      const zip = links.verify(`${bucket}/${digest}`, query)
      // The key that asked must still be valid, as for signed URLs: a revoked key's links die with it.
      await checkIssuer(ctx, zip.grant)
      const objects = objectsFor(
        ctx,
        request,
        await ctx.buckets.getRecent(bucket),
        zip.grant.issuer,
        'signed-url',
      )
      const entries = await planZip(ctx.catalog, bucket, zip.selection)
      const zipped = zipStream(objects, entries)
      reply
        .header('content-type', 'application/zip')
        .header('content-disposition', zip.grant.contentDisposition ?? 'attachment')
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
      if (zipped.size !== undefined) reply.header('content-length', zipped.size)
      return reply.send(zipped.stream)
    },
  )
}
