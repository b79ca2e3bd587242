import { StorageError, type StorageService } from '@coffer/core'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify'
import type { Kysely } from 'kysely'
import type { ApiKeyStore } from './auth/api-key-store.ts'
import type { Authenticator } from './auth/authenticator.ts'
import { allows, denied, type Permission, type Principal } from './auth/scopes.ts'
import { BucketObjects } from './buckets/bucket-objects.ts'
import type { Bucket, BucketStore } from './buckets/bucket-store.ts'
import type { Database } from './db/schema.ts'
import type { BodyLimits } from './http/body-limits.ts'
import type { Actor, ObjectIndex } from './index/object-index.ts'
import type { ReconcileReport } from './index/reconcile.ts'
import type { UsageRecorder } from './index/usage.ts'
import type { Metrics } from './metrics.ts'
import type { ImageUploads } from './renders/image-uploads.ts'
import type { RenderService } from './renders/render-service.ts'
import type { RenderSigner } from './renders/render-signer.ts'

/** What the routes share: the storage, the index and its stores, and the credential checks. */
export interface AppContext {
  storage: StorageService
  db: Kysely<Database>
  /** The object index: rows, counters, reservations and the audit trail. */
  index: ObjectIndex
  usage: UsageRecorder
  metrics: Metrics
  /** Whether `/metrics` answers without credentials. */
  metricsPublic: boolean
  /** Runs reconcile (one at a time per process). */
  reconcile: (options?: { bucket?: string; signal?: AbortSignal }) => Promise<ReconcileReport>
  buckets: BucketStore
  keys: ApiKeyStore
  auth: Authenticator
  /** How long request bodies may stall, and how many uploads a credential may run at once. */
  bodyLimits: BodyLimits
  /** Where Coffer's signed URLs point (`<content url>/signed`): known once the content origin listens. */
  signedBase: () => string
  /** Signed GET URLs straight to the store (S3), which no revoke can stop; off unless configured. */
  directSignedGets: boolean
  /**
   * Where browsers reach the content origin, the listener of user bytes (`/public`, `/signed`):
   * configured, or the address it listens on. No trailing slash.
   */
  contentUrl: () => string
  /** Image renders through the variant cache. */
  renders: RenderService
  /** Strips and probes uploaded images (see `BucketObjects.upload`). */
  images: ImageUploads
  /** Signs and verifies render URLs (`/render-signed/…` on the content origin). */
  renderSigner: RenderSigner
}

/** The caller of a request; throws `MissingCredentials` (401) when there is none. */
export function principalOf(ctx: AppContext, request: FastifyRequest): Promise<Principal> {
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
  ctx: AppContext,
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
  ctx: AppContext,
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

/** The Fastify instance, typed for TypeBox schemas. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>
