import { SignJWT } from 'jose'

/** A token a browser uses to talk to Coffer directly, and what it may do there. */
export interface UploadToken {
  /** The JWT, for `Authorization: Bearer` (or `new CofferClient({ token })` in the browser). */
  token: string
  /** When it stops working. */
  expiresAt: string
  bucket: string
  /** The folder it may read, write and list: `projects/<id>/`. */
  prefix: string
}

/**
 * Signs a short-lived HS256 JWT that Coffer accepts (`COFFER_JWT_SECRET` on its side) for one
 * project's folder of the `documents` bucket: the browser uploads there straight to Coffer, with
 * progress, and can touch nothing else. `sub` names the user, who owns what the token writes.
 */
export async function issueUploadToken(
  secret: string,
  user: string,
  project: string,
  lifetimeSeconds = 600,
): Promise<UploadToken> {
  const bucket = 'documents'
  const prefix = `projects/${project}/`
  const expires = Math.floor(Date.now() / 1000) + lifetimeSeconds
  const token = await new SignJWT({ scopes: [{ bucket, prefix, permissions: ['read', 'write', 'list'] }] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user)
    .setIssuedAt()
    .setExpirationTime(expires)
    .sign(new TextEncoder().encode(secret))
  return { token, expiresAt: new Date(expires * 1000).toISOString(), bucket, prefix }
}
