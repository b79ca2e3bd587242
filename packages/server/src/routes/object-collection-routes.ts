import { MAX_EXPIRES_IN, MAX_LIST_LIMIT, normalizeKey, normalizePrefix, StorageError } from '@coffer/core'
import { Type } from 'typebox'
import { type Access, authorize, principalOf } from '../domain/auth/authorize.ts'
import { listBucket, ORDERS, SORTS } from '../domain/buckets/bucket-listing.ts'
import type { AppContext } from '../http/app-context.ts'
import { createOnly } from '../http/create-only.ts'
import { pinnedHeaders } from '../http/pinned-headers.ts'
import { presign } from '../http/presign.ts'
import { signRender } from '../http/sign-render.ts'
import type { App } from '../http/typed-app.ts'
import {
  BucketParams,
  Count,
  DeleteResultJson,
  ERROR_RESPONSES,
  ListPageJson,
  ObjectJson,
  objectJson,
  SignedUrlJson,
  summaryJson,
} from './schemas.ts'

const tags = ['objects']
const Key = Type.String({ minLength: 1, maxLength: 1024 })
const FromTo = Type.Object({ from: Key, to: Key }, { additionalProperties: false })

/** Operations on many objects of a bucket: list, batch delete, copy, move, and signed URLs. */
export function objectCollectionRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/v1/buckets/:bucket/objects',
    {
      schema: {
        tags,
        summary: 'List objects, with filters and sorts',
        description:
          'From the object index: keys in UTF-8 byte order by default; with a delimiter, keys fold into ' +
          'common prefixes (name order only). Filters narrow the objects; cursors are keyset positions, ' +
          'stable while objects come and go, and bound to their sort. `source=store` lists the storage ' +
          'itself (no filters or sorts), which is the truth the index converges to.',
        params: BucketParams,
        querystring: Type.Object({
          prefix: Type.Optional(Type.String()),
          delimiter: Type.Optional(Type.String({ maxLength: 16 })),
          cursor: Type.Optional(Type.String({ maxLength: 4096 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIST_LIMIT })),
          sort: Type.Optional(Type.Union(SORTS.map((s) => Type.Literal(s)))),
          order: Type.Optional(Type.Union(ORDERS.map((o) => Type.Literal(o)))),
          type: Type.Optional(
            Type.String({
              maxLength: 1024,
              description: 'Content types, comma-separated, with wildcards (image/*)',
            }),
          ),
          minSize: Type.Optional(Count({ minimum: 0 })),
          maxSize: Type.Optional(Count({ minimum: 0 })),
          minWidth: Type.Optional(Count({ minimum: 0, description: 'Images at least this wide' })),
          minHeight: Type.Optional(Count({ minimum: 0, description: 'Images at least this high' })),
          modifiedAfter: Type.Optional(Type.String({ format: 'date-time', description: 'At or after' })),
          modifiedBefore: Type.Optional(Type.String({ format: 'date-time', description: 'Before' })),
          q: Type.Optional(Type.String({ maxLength: 256, description: 'The key contains this text' })),
          name: Type.Optional(
            Type.String({
              maxLength: 256,
              description:
                'The name (the key after its last /) contains this text; without a delimiter, a search through every folder under the prefix',
            }),
          ),
          source: Type.Optional(Type.Union([Type.Literal('index'), Type.Literal('store')])),
        }),
        response: {
          200: ListPageJson,
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const prefix = normalizePrefix(request.query.prefix)
      const objects = await authorize(ctx, request, request.params.bucket, [prefix, 'list'])
      const listed = await listBucket(ctx.catalog, objects, { ...request.query, prefix })
      return { ...listed, objects: listed.objects.map(summaryJson) }
    },
  )

  app.post(
    '/v1/buckets/:bucket/delete',
    {
      schema: {
        tags,
        summary: 'Delete many objects: a list of keys, or every key under a prefix',
        params: BucketParams,
        body: Type.Union([
          Type.Object(
            { keys: Type.Array(Key, { minItems: 1, maxItems: 1000 }) },
            { additionalProperties: false },
          ),
          Type.Object({ prefix: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
        ]),
        response: {
          200: DeleteResultJson,
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const { bucket } = request.params
      const body = request.body
      if ('prefix' in body) {
        const prefix = normalizePrefix(body.prefix)
        const objects = await authorize(ctx, request, bucket, [prefix, 'delete'])
        return objects.deleteMany({ prefix })
      }
      const keys = body.keys.map(normalizeKey)
      // Every key is checked first: a batch is done whole or refused whole, never half-authorised.
      const objects = await authorize(ctx, request, bucket, ...keys.map((key) => [key, 'delete'] as const))
      return objects.deleteMany(keys)
    },
  )

  for (const operation of ['copy', 'move'] as const) {
    app.post(
      `/v1/buckets/:bucket/${operation}`,
      {
        schema: {
          tags,
          summary: operation === 'copy' ? 'Copy an object within the bucket' : 'Move (rename) an object',
          description:
            'With `If-None-Match: *` the target is created only: when its name is taken, 412 and nothing ' +
            'changes (the source stays, the target keeps its bytes). Without it, a taken name is replaced.',
          params: BucketParams,
          body: FromTo,
          response: { 200: ObjectJson, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { bucket } = request.params
        const from = normalizeKey(request.body.from)
        const to = normalizeKey(request.body.to)
        const checks: Access[] = [
          [from, 'read'],
          [to, 'write'],
        ]
        if (operation === 'move') checks.push([from, 'delete'])
        const condition = createOnly(request)
        const objects = await authorize(ctx, request, bucket, ...checks)
        return objectJson(
          operation === 'copy'
            ? await objects.copy(from, to, condition)
            : await objects.move(from, to, condition),
        )
      },
    )
  }

  app.post(
    '/v1/buckets/:bucket/sign',
    {
      schema: {
        tags,
        summary: 'A signed URL: one key, one method, no credentials, until it expires',
        description: 'Needs the sign permission and read (GET) or write (PUT) on the key.',
        params: BucketParams,
        body: Type.Object(
          {
            key: Key,
            method: Type.Union([Type.Literal('GET'), Type.Literal('PUT')]),
            expiresIn: Type.Integer({ minimum: 1, maximum: MAX_EXPIRES_IN, default: 3600 }),
            contentType: Type.Optional(Type.String({ maxLength: 255 })),
            contentDisposition: Type.Optional(Type.String({ maxLength: 1024 })),
            transform: Type.Optional(
              Type.Union(
                [
                  Type.String({ maxLength: 500 }),
                  Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
                ],
                {
                  description:
                    'A signed render URL instead: the transform (w=200,h=200 or an object) is sealed in it',
                },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: SignedUrlJson,
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const { bucket } = request.params
      const { key: rawKey, method, transform, ...rest } = request.body
      const key = normalizeKey(rawKey)
      if (transform !== undefined) {
        if (method !== 'GET') throw new StorageError('InvalidArgument', 'a render URL is for GET')
        return signRender(ctx, request, bucket, key, transform, rest.expiresIn)
      }
      const objects = await authorize(
        ctx,
        request,
        bucket,
        [key, 'sign'],
        [key, method === 'GET' ? 'read' : 'write'],
      )
      // authorize refuses a request without a credential: signing needs the sign permission.
      return presign(ctx, objects, await principalOf(ctx, request), key, pinnedHeaders({ method, ...rest }))
    },
  )
}
