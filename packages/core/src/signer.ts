import { createHmac, timingSafeEqual } from 'node:crypto'
import { normalizeDisposition } from './content-disposition.ts'
import { StorageError } from './errors.ts'
import { encodeKeyPath, normalizeKey } from './keys.ts'
import { normalizeMediaType } from './media-type.ts'
import type { PresignOptions } from './types.ts'

/** SigV4's limit, kept on every driver so a URL's lifetime does not depend on the backend. */
export const MAX_EXPIRES_IN = 7 * 24 * 60 * 60

const PARAM = {
  method: 'X-Coffer-Method',
  date: 'X-Coffer-Date',
  expires: 'X-Coffer-Expires',
  contentType: 'X-Coffer-Content-Type',
  contentDisposition: 'X-Coffer-Content-Disposition',
  issuer: 'X-Coffer-Issuer',
  signature: 'X-Coffer-Signature',
} as const

/**
 * An HMAC-SHA256 in base64url exactly as `sign` writes it: 43 characters, no padding. Node's decoder
 * also takes `+`, `/`, `=` and non-zero trailing bits, so several spellings would decode to the same
 * bytes; only this one is accepted, so that a signature has one spelling, as the URL it is part of.
 */
const SIGNATURE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/

/** What a verified signed URL grants: one key, one method, until `expiresAt`. */
export interface SignedGrant {
  key: string
  method: 'GET' | 'PUT'
  /** When it was signed (whole seconds): a credential created later (an id reused) did not sign it. */
  issuedAt: Date
  expiresAt: Date
  contentType?: string
  contentDisposition?: string
  /** The credential that signed the URL, when it was bound to one (see `PresignOptions.issuer`). */
  issuer?: string
}

/** Checks the method and expiry of a URL to sign; throws `InvalidArgument`. */
export function checkPresignOptions(opts: PresignOptions): void {
  if (opts.method !== 'GET' && opts.method !== 'PUT') {
    throw new StorageError('InvalidArgument', 'a signed URL is for GET or PUT')
  }
  if (!Number.isInteger(opts.expiresIn) || opts.expiresIn < 1 || opts.expiresIn > MAX_EXPIRES_IN) {
    throw new StorageError(
      'InvalidArgument',
      `expiresIn must be a whole number of seconds from 1 to ${MAX_EXPIRES_IN}`,
    )
  }
  // Checked when signing, not at every use of the URL; the server pins their canonical forms.
  if (opts.contentType !== undefined) normalizeMediaType(opts.contentType)
  if (opts.contentDisposition !== undefined) normalizeDisposition(opts.contentDisposition)
}

function deny(why: string): never {
  throw new StorageError('AccessDenied', `signed URL refused: ${why}`)
}

/**
 * Coffer's own signed URLs: an HMAC-SHA256 over the key, method, expiry, the response/upload headers
 * it pins and the credential that issued it, verified in constant time. The base URL may be a
 * function, for a service that learns its address only once it listens.
 */
export class UrlSigner {
  readonly #secret: Buffer
  readonly #baseUrl: () => string

  constructor(secret: string | Uint8Array, baseUrl: string | (() => string)) {
    this.#secret = Buffer.from(secret)
    if (this.#secret.length < 16)
      throw new StorageError('InvalidArgument', 'the signing secret must be at least 16 bytes')
    const base = typeof baseUrl === 'string' ? () => baseUrl : baseUrl
    this.#baseUrl = () => base().replace(/\/+$/, '')
  }

  #signature(grant: {
    key: string
    method: string
    date: string
    expires: string
    contentType?: string | null
    contentDisposition?: string | null
    issuer?: string | null
  }): Buffer {
    // v2 added the issuer: every v1 URL (unbound, so not revocable) stopped verifying with it.
    const payload = [
      'coffer-url-v2',
      grant.method,
      grant.key,
      grant.date,
      grant.expires,
      grant.contentType ?? '',
      grant.contentDisposition ?? '',
      grant.issuer ?? '',
    ]
    // JSON, not lines: a value with a newline in it (a pinned type, a JWT's subject) cannot move
    // the boundary between two fields and so pass for another grant.
    return createHmac('sha256', this.#secret).update(JSON.stringify(payload)).digest()
  }

  /** A URL under the base URL: `<base>/<key>?X-Coffer-…`. */
  sign(key: string, opts: PresignOptions, now = Date.now()): string {
    checkPresignOptions(opts)
    const date = String(Math.floor(now / 1000))
    const expires = String(Math.floor(now / 1000) + opts.expiresIn)
    const query = new URLSearchParams({
      [PARAM.method]: opts.method,
      [PARAM.date]: date,
      [PARAM.expires]: expires,
    })
    if (opts.contentType !== undefined) query.set(PARAM.contentType, opts.contentType)
    if (opts.contentDisposition !== undefined) query.set(PARAM.contentDisposition, opts.contentDisposition)
    if (opts.issuer !== undefined) query.set(PARAM.issuer, opts.issuer)
    const signature = this.#signature({ ...opts, key, date, expires })
    query.set(PARAM.signature, signature.toString('base64url'))
    return `${this.#baseUrl()}/${encodeKeyPath(key)}?${query}`
  }

  /**
   * Checks a signed request: `key` is the decoded key from the path, `method` the request's method
   * (HEAD counts as GET). Throws `AccessDenied` for a tampered, expired or wrong-method URL. The
   * caller checks that the grant's `issuer` is still valid: the signer cannot know.
   */
  verify(key: string, method: string, query: URLSearchParams, now = Date.now()): SignedGrant {
    const granted = query.get(PARAM.method)
    const expires = query.get(PARAM.expires) ?? ''
    const spelled = query.get(PARAM.signature) ?? ''
    if (!SIGNATURE.test(spelled)) deny('the signature does not match')
    const given = Buffer.from(spelled, 'base64url')
    const grant = {
      key: normalizeKey(key),
      method: granted ?? '',
      date: query.get(PARAM.date) ?? '',
      expires,
      contentType: query.get(PARAM.contentType),
      contentDisposition: query.get(PARAM.contentDisposition),
      issuer: query.get(PARAM.issuer),
    }
    const expected = this.#signature(grant)
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      deny('the signature does not match')
    if ((method === 'HEAD' ? 'GET' : method) !== granted) deny(`it was signed for ${granted}, not ${method}`)
    const expiresAt = new Date(Number(expires) * 1000)
    if (!(expiresAt.getTime() > now)) deny('it has expired')
    const result: SignedGrant = {
      key: grant.key,
      method: granted as 'GET' | 'PUT',
      issuedAt: new Date(Number(grant.date) * 1000),
      expiresAt,
    }
    if (grant.contentType !== null) result.contentType = grant.contentType
    if (grant.contentDisposition !== null) result.contentDisposition = grant.contentDisposition
    if (grant.issuer !== null) result.issuer = grant.issuer
    return result
  }

  /** Splits one of this signer's URLs into the key and query that `verify` takes. */
  parse(url: string | URL): { key: string; query: URLSearchParams } {
    const parsed = new URL(url)
    const base = new URL(`${this.#baseUrl()}/`)
    if (parsed.origin !== base.origin || !parsed.pathname.startsWith(base.pathname))
      deny('it is not one of this service')
    const path = parsed.pathname.slice(base.pathname.length)
    try {
      return { key: path.split('/').map(decodeURIComponent).join('/'), query: parsed.searchParams }
    } catch {
      deny('its path is not a valid key')
    }
  }
}
