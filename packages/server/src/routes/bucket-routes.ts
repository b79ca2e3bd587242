import { StorageError } from '@coffer/core'
import { type Static, type TSchema, type TUnsafe, Type } from 'typebox'
import { actorOf, authorize, principalOf } from '../domain/auth/authorize.ts'
import { type Principal, requireServiceAdmin, seesBucket, seesWholeBucket } from '../domain/auth/scopes.ts'
import { BUCKET_NAME, type Bucket } from '../domain/buckets/bucket-store.ts'
import type { AppContext } from '../http/app-context.ts'
import type { App } from '../http/typed-app.ts'
import { BucketJson, BucketListJson, BucketParams, ERROR_RESPONSES, PolicyFields } from './schemas.ts'

const tags = ['buckets']
/**
 * A schema that also takes null, as `type: [t, 'null']`: Ajv's type coercion (on in Fastify) turns
 * null into 0 in an `anyOf` that tries a number first, but leaves it alone when the type list has null.
 */
function Nullable<T extends TSchema & { type: string }>(schema: T): TUnsafe<Static<T> | null> {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] })
}

/** A bucket as `principal` may see it: without its counters unless its scope covers the whole bucket. */
function visible(principal: Principal, bucket: Bucket): Bucket | Omit<Bucket, 'usedBytes' | 'usedObjects'> {
  if (seesWholeBucket(principal, bucket.name)) return bucket
  const { usedBytes: _bytes, usedObjects: _objects, ...rest } = bucket
  return rest
}

/** Buckets and their policies. Reading needs a scope on the bucket; changing it needs admin. */
export function bucketRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/v1/buckets',
    {
      schema: {
        tags,
        summary: 'The buckets this credential can see',
        response: { 200: BucketListJson, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const principal = await principalOf(ctx, request)
      const buckets = await ctx.buckets.list()
      return {
        buckets: buckets
          .filter((bucket) => seesBucket(principal, bucket.name))
          .map((bucket) => visible(principal, bucket)),
      }
    },
  )

  app.post(
    '/v1/buckets',
    {
      schema: {
        tags,
        summary: 'Create a bucket (admin)',
        body: Type.Object(
          {
            name: Type.String({ pattern: BUCKET_NAME.source }),
            public: Type.Optional(PolicyFields.public),
            maxFileSize: Type.Optional(PolicyFields.maxFileSize),
            allowedTypes: Type.Optional(PolicyFields.allowedTypes),
            quotaBytes: Type.Optional(PolicyFields.quotaBytes),
            quotaObjects: Type.Optional(PolicyFields.quotaObjects),
            cors: Type.Optional(PolicyFields.cors),
            renders: Type.Optional(PolicyFields.renders),
            variants: Type.Optional(PolicyFields.variants),
            stripMetadata: Type.Optional(PolicyFields.stripMetadata),
            allowSvg: Type.Optional(PolicyFields.allowSvg),
            maxShareSeconds: Type.Optional(PolicyFields.maxShareSeconds),
          },
          { additionalProperties: false },
        ),
        response: { 201: BucketJson, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const principal = await principalOf(ctx, request)
      requireServiceAdmin(principal)
      const { name, ...policy } = request.body
      const bucket = await ctx.buckets.create(name, { ...policy, public: policy.public ?? false })
      await ctx.catalog.audit(actorOf(request, principal), {
        action: 'bucket.create',
        bucket: name,
        detail: policy,
      })
      return reply.code(201).send(bucket)
    },
  )

  app.get(
    '/v1/buckets/:bucket',
    {
      schema: {
        tags,
        summary: 'A bucket and its policy',
        params: BucketParams,
        response: { 200: BucketJson, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const principal = await principalOf(ctx, request)
      const { bucket } = request.params
      if (!seesBucket(principal, bucket)) {
        throw new StorageError('AccessDenied', `this credential has no scope on bucket "${bucket}"`)
      }
      return visible(principal, await ctx.buckets.get(bucket))
    },
  )

  app.patch(
    '/v1/buckets/:bucket',
    {
      schema: {
        tags,
        summary: "Change a bucket's policy (admin); null clears a limit",
        params: BucketParams,
        body: Type.Object(
          {
            public: Type.Optional(PolicyFields.public),
            maxFileSize: Type.Optional(Nullable(PolicyFields.maxFileSize)),
            allowedTypes: Type.Optional(Nullable(PolicyFields.allowedTypes)),
            quotaBytes: Type.Optional(Nullable(PolicyFields.quotaBytes)),
            quotaObjects: Type.Optional(Nullable(PolicyFields.quotaObjects)),
            cors: Type.Optional(Type.Union([PolicyFields.cors, Type.Null()])),
            renders: Type.Optional(Type.Union([PolicyFields.renders, Type.Null()])),
            variants: Type.Optional(Nullable(PolicyFields.variants)),
            stripMetadata: Type.Optional(Nullable(PolicyFields.stripMetadata)),
            allowSvg: Type.Optional(Nullable(PolicyFields.allowSvg)),
            maxShareSeconds: Type.Optional(Nullable(PolicyFields.maxShareSeconds)),
          },
          { additionalProperties: false },
        ),
        response: { 200: BucketJson, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { bucket } = request.params
      const objects = await authorize(ctx, request, bucket, ['', 'admin'])
      const updated = await ctx.buckets.update(bucket, request.body)
      await ctx.catalog.audit(objects.actor, { action: 'bucket.update', bucket, detail: request.body })
      return updated
    },
  )

  app.delete(
    '/v1/buckets/:bucket',
    {
      schema: {
        tags,
        summary: 'Delete an empty bucket (admin)',
        params: BucketParams,
        response: { 204: Type.Null({ description: 'Done' }), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const objects = await authorize(ctx, request, request.params.bucket, ['', 'admin'])
      if (!(await objects.isEmpty())) {
        throw new StorageError('PreconditionFailed', `bucket "${objects.bucket.name}" is not empty`)
      }
      await ctx.buckets.delete(objects.bucket.name)
      await ctx.catalog.dropBucket(objects.bucket.name)
      await ctx.shares.dropBucket(objects.bucket.name)
      await ctx.catalog.audit(objects.actor, { action: 'bucket.delete', bucket: objects.bucket.name })
      return reply.code(204).send(null)
    },
  )
}
