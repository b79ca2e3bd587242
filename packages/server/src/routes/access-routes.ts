import { type NormalizedKey, normalizeKey, type SignedGrant, StorageError } from '@coffer/core'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { objectsFor } from '../domain/auth/authorize.ts'
import type { BucketObjects } from '../domain/buckets/bucket-objects.ts'
import type { AppContext } from '../http/app-context.ts'
import type { ServeHeaderOptions } from '../http/object-headers.ts'
import { verifySigned } from '../http/presign.ts'
import { receiveObject } from '../http/receive-object.ts'
import { serveHead, serveObject } from '../http/serve-object.ts'
import type { App } from '../http/typed-app.ts'
import { ERROR_RESPONSES, ObjectJson, ObjectParams, objectJson } from './schemas.ts'

const tags = ['access without credentials']

/** The response headers a signed GET URL pins. */
function pinnedHeaders(grant: SignedGrant): ServeHeaderOptions {
  const opts: ServeHeaderOptions = { expiresAt: grant.expiresAt }
  if (grant.contentType !== undefined) opts.contentType = grant.contentType
  if (grant.contentDisposition !== undefined) opts.contentDisposition = grant.contentDisposition
  return opts
}

/**
 * Routes that need no credentials: reads of public buckets (`/public/<bucket>/<key>`), and Coffer's
 * own signed URLs (`/signed/<bucket>/<key>?X-Coffer-…`), which grant one method on one key until
 * they expire. Register in a raw-body scope: a signed PUT streams its body.
 */
export function accessRoutes(app: App, ctx: AppContext): void {
  /**
   * The bucket a signed request is for, once its signature and its issuer hold; what it does is its
   * issuer's, marked as done through a signed URL.
   */
  async function signedObjects(request: FastifyRequest<{ Params: { bucket: string; '*': string } }>) {
    const { bucket } = request.params
    const grant = await verifySigned(ctx, request, bucket)
    const objects = objectsFor(ctx, request, await ctx.buckets.getRecent(bucket), grant.issuer, 'signed-url')
    // The signer normalised the whole key; what follows its bucket's segment is normalised too.
    return { objects, grant, key: grant.key.slice(bucket.length + 1) as NormalizedKey }
  }

  async function publicObjects(request: FastifyRequest, bucketName: string): Promise<BucketObjects> {
    const bucket = await ctx.buckets.recent(bucketName)
    // A private bucket answers as a missing one: anonymous callers learn nothing about it.
    if (!bucket?.public) throw new StorageError('NotFound', `no public bucket "${bucketName}"`)
    return objectsFor(ctx, request, bucket, undefined)
  }

  const Download = Type.Object({ download: Type.Optional(Type.String()) })

  app.get(
    '/public/:bucket/*',
    {
      schema: {
        tags,
        summary: 'Read an object of a public bucket',
        params: ObjectParams,
        querystring: Download,
      },
    },
    async (request, reply) => {
      const objects = await publicObjects(request, request.params.bucket)
      const download = request.query.download !== undefined
      return serveObject(request, reply, objects, normalizeKey(request.params['*']), { download })
    },
  )
  app.head(
    '/public/:bucket/*',
    { schema: { tags, summary: 'Headers of an object of a public bucket', params: ObjectParams } },
    async (request, reply) =>
      serveHead(
        reply,
        await publicObjects(request, request.params.bucket),
        normalizeKey(request.params['*']),
      ),
  )

  const signedSchema = { tags, params: ObjectParams, querystring: Type.Record(Type.String(), Type.String()) }
  app.get(
    '/signed/:bucket/*',
    { schema: { ...signedSchema, summary: 'Download with a signed URL' } },
    async (request, reply) => {
      const { objects, grant, key } = await signedObjects(request)
      return serveObject(request, reply, objects, key, pinnedHeaders(grant))
    },
  )
  app.head(
    '/signed/:bucket/*',
    { schema: { ...signedSchema, summary: 'Headers with a signed URL' } },
    async (request, reply) => {
      const { objects, grant, key } = await signedObjects(request)
      return serveHead(reply, objects, key, pinnedHeaders(grant))
    },
  )
  app.put(
    '/signed/:bucket/*',
    {
      schema: {
        ...signedSchema,
        summary: 'Upload with a signed URL',
        response: { 200: ObjectJson, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { objects, grant, key } = await signedObjects(request)
      const info = await receiveObject(ctx.bodyLimits, request, reply, objects, key, grant.contentType)
      reply.header('etag', info.etag)
      return objectJson(info)
    },
  )
}
