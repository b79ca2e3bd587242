import { StorageError } from '@coffer/core'
import type { FastifyRequest } from 'fastify'
import type { Actor } from '../../catalog/object-catalog.ts'
import { BucketObjects } from '../buckets/bucket-objects.ts'
import type { Bucket } from '../buckets/bucket-store.ts'
import type { DomainContext } from '../context.ts'
import { allows, denied, type Permission, type Principal } from './scopes.ts'

/** The caller of a request; throws `MissingCredentials` (401) when there is none. */
export function principalOf(ctx: DomainContext, request: FastifyRequest): Promise<Principal> {
  return ctx.auth.require(request.headers.authorization)
}

/**
 * The actor of a request: its credential (`<kind>:<id>`), or `anonymous`, and its address; `via`
 * marks a credential acting through a signed URL it issued.
 */
export function actorOf(
  request: FastifyRequest,
  principal: Principal | string | undefined,
  via?: Actor['via'],
): Actor {
  const id =
    principal === undefined
      ? 'anonymous'
      : typeof principal === 'string'
        ? principal
        : `${principal.kind}:${principal.id}`
  return via === undefined ? { id, ip: request.ip } : { id, ip: request.ip, via }
}

const requestObjects = new WeakMap<FastifyRequest, BucketObjects>()

/**
 * A bucket's objects as the request's actor sees them. The request remembers them, so that its bucket
 * and the bytes it wrote reach the usage statistics when it ends.
 */
export function objectsFor(
  ctx: DomainContext,
  request: FastifyRequest,
  bucket: Bucket,
  principal: Principal | string | undefined,
  via?: Actor['via'],
): BucketObjects {
  const objects = new BucketObjects(ctx, bucket, actorOf(request, principal, via))
  // A form with several files authorises each: the request's bytes add up over all of them.
  const earlier = requestObjects.get(request)
  if (earlier?.bucket.name === bucket.name) objects.bytesIn = earlier.bytesIn
  requestObjects.set(request, objects)
  return objects
}

/** The bucket objects a request worked on, if any. */
export function objectsOfRequest(request: FastifyRequest): BucketObjects | undefined {
  return requestObjects.get(request)
}

/** A permission the request needs on a key or prefix of the bucket (`''` for the bucket itself). */
export type Access = readonly [path: string, permission: Permission]

/**
 * Checks that the request may do every one of `checks` in a bucket and returns the bucket's objects.
 * Credentials are checked before the bucket is looked up, so a caller cannot learn which buckets exist
 * outside its scopes. Anyone may read a public bucket, with or without credentials.
 */
export async function authorize(
  ctx: DomainContext,
  request: FastifyRequest,
  bucketName: string,
  ...checks: Access[]
): Promise<BucketObjects> {
  const principal = await ctx.auth.identify(request.headers.authorization)
  const scopes = principal?.scopes ?? []
  let unmet = checks.filter(([path, permission]) => !allows(scopes, bucketName, path, permission))
  if (unmet.length === 0) return objectsFor(ctx, request, await ctx.buckets.getRecent(bucketName), principal)
  const bucket = await ctx.buckets.recent(bucketName)
  if (bucket?.public) unmet = unmet.filter(([, permission]) => permission !== 'read')
  if (bucket !== undefined && unmet.length === 0) return objectsFor(ctx, request, bucket, principal)
  if (!principal)
    throw new StorageError('MissingCredentials', 'this needs an Authorization: Bearer <token> header')
  const [path, permission] = unmet[0] ?? checks[0] ?? ['', 'admin']
  throw denied(bucketName, path, permission)
}
