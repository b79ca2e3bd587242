import { type NormalizedKey, type PresignOptions, type SignedGrant, StorageError } from '@coffer/core'
import type { FastifyRequest } from 'fastify'
import type { Principal } from '../domain/auth/scopes.ts'
import type { BucketObjects } from '../domain/buckets/bucket-objects.ts'
import type { AppContext } from './app-context.ts'

/** Where a signed URL's path starts, on the route that serves them. */
const SIGNED_PATH = '/signed/'

function refused(why: string): StorageError {
  return new StorageError('AccessDenied', `signed URL refused: ${why}`)
}

/**
 * A signed URL for one key and method, bound to the credential that asks for it: Coffer's HMAC URL
 * (`<public url>/signed/<bucket>/<key>`), whose signature covers the issuer's id, so that the URL
 * dies when that credential is revoked or expires (as S3's URLs die with their access key). It never
 * outlives its issuer: its expiry is cut to the credential's own (an API key's `expiresAt`, a JWT's
 * `exp`). Uploads always stream through Coffer, which alone enforces a bucket's limits and keeps the
 * index and the audit trail. Only with `directSignedGets` (an operator's choice) do downloads go
 * straight to a store that signs its own (S3 SigV4): those URLs hold until they expire, whatever
 * happens to their issuer.
 */
export async function presign(
  ctx: AppContext,
  objects: BucketObjects,
  issuer: Principal,
  key: NormalizedKey,
  opts: PresignOptions,
): Promise<{ url: string; expiresAt: string }> {
  const now = Math.floor(Date.now() / 1000)
  let expiresIn = opts.expiresIn
  if (issuer.expiresAt !== undefined) {
    const left = Math.floor(issuer.expiresAt / 1000) - now
    if (left < 1) throw new StorageError('MissingCredentials', 'the credential has expired')
    expiresIn = Math.min(expiresIn, left)
  }
  const expiresAt = new Date((now + expiresIn) * 1000).toISOString()
  const direct = ctx.directSignedGets && opts.method === 'GET' && ctx.storage.driver.presign !== undefined
  const bound = direct
    ? { ...opts, expiresIn }
    : { ...opts, expiresIn, issuer: `${issuer.kind}:${issuer.id}` }
  return { url: await objects.presign(key, bound), expiresAt }
}

/**
 * Checks a request made with a signed URL (the route `/signed/:bucket/*`) through the storage's one
 * verifier, then its issuer: an API key must still be active, and older than the URL (a key made
 * later under the same id did not sign it). A JWT cannot be revoked; its URLs were cut to its `exp`
 * when signed. Throws `AccessDenied` (403) otherwise. The URL is rebuilt from the path the service
 * received on the public base it was signed for: a proxy in front may have changed host and path.
 * The grant must be for `bucket`, the one the router took from the path: a URL parser removes dot
 * segments (`/signed/theirs/%2e%2e/mine/k`) that the router keeps, so the two can differ.
 */
export async function verifySigned(
  ctx: AppContext,
  request: FastifyRequest,
  bucket: string,
): Promise<SignedGrant> {
  if (!request.url.startsWith(SIGNED_PATH)) throw refused('it is not one of this service')
  const url = `${ctx.signedBase()}/${request.url.slice(SIGNED_PATH.length)}`
  const grant = ctx.storage.verifyPresignedUrl(url, request.method)
  if (!grant.key.startsWith(`${bucket}/`)) throw refused('it was signed for another bucket')
  const [kind, id] = splitIssuer(grant.issuer)
  if (kind === 'jwt') return grant
  const key = await ctx.keys.findActiveById(id)
  if (key === undefined) throw refused('the key that signed it is revoked or expired')
  // An id used again (COFFER_ADMIN_KEY changed: `env-admin` is a new key) did not sign older URLs.
  if (Math.floor(Date.parse(key.createdAt) / 1000) > grant.issuedAt.getTime() / 1000) {
    throw refused('the key that signed it is revoked or expired')
  }
  return grant
}

/** `<kind>:<id>` of a grant's issuer; a URL without one was not signed by this version. */
function splitIssuer(issuer: string | undefined): ['key' | 'jwt', string] {
  const mark = issuer?.indexOf(':') ?? -1
  const kind = issuer?.slice(0, mark)
  if (issuer === undefined || (kind !== 'key' && kind !== 'jwt')) throw refused('it names no issuer')
  return [kind, issuer.slice(mark + 1)]
}
