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
  expires: 'X-Coffer-Expires',
  contentType: 'X-Coffer-Content-Type',
  contentDisposition: 'X-Coffer-Content-Disposition',
  signature: 'X-Coffer-Signature',
} as const

/** What a verified signed URL grants: one key, one method, until `expiresAt`. */
export interface SignedGrant {
  key: string
  method: 'GET' | 'PUT'
  expiresAt: Date
  contentType?: string
  contentDisposition?: string
}

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
 * Coffer's own signed URLs, for drivers without presigning of their own (fs, memory): an HMAC-SHA256
 * over the key, method, expiry and the response/upload headers it pins, verified in constant time.
 */
export class UrlSigner {
  readonly #secret: Buffer
  readonly #baseUrl: string

  constructor(secret: string | Uint8Array, baseUrl: string) {
    this.#secret = Buffer.from(secret)
    if (this.#secret.length < 16)
      throw new StorageError('InvalidArgument', 'the signing secret must be at least 16 bytes')
    this.#baseUrl = baseUrl.replace(/\/+$/, '')
  }

  #signature(grant: {
    key: string
    method: string
    expires: string
    contentType?: string | null
    contentDisposition?: string | null
  }): Buffer {
    const payload = [
      'coffer-url-v1',
      grant.method,
      grant.key,
      grant.expires,
      grant.contentType ?? '',
      grant.contentDisposition ?? '',
    ]
    return createHmac('sha256', this.#secret).update(payload.join('\n')).digest()
  }

  /** A URL under the base URL: `<base>/<key>?X-Coffer-…`. */
  sign(key: string, opts: PresignOptions, now = Date.now()): string {
    checkPresignOptions(opts)
    const expires = String(Math.floor(now / 1000) + opts.expiresIn)
    const query = new URLSearchParams({ [PARAM.method]: opts.method, [PARAM.expires]: expires })
    if (opts.contentType !== undefined) query.set(PARAM.contentType, opts.contentType)
    if (opts.contentDisposition !== undefined) query.set(PARAM.contentDisposition, opts.contentDisposition)
    const signature = this.#signature({ ...opts, key, expires })
    query.set(PARAM.signature, signature.toString('base64url'))
    return `${this.#baseUrl}/${encodeKeyPath(key)}?${query}`
  }

  /**
   * Checks a signed request: `key` is the decoded key from the path, `method` the request's method
   * (HEAD counts as GET). Throws `AccessDenied` for a tampered, expired or wrong-method URL.
   */
  verify(key: string, method: string, query: URLSearchParams, now = Date.now()): SignedGrant {
    const granted = query.get(PARAM.method)
    const expires = query.get(PARAM.expires) ?? ''
    const given = Buffer.from(query.get(PARAM.signature) ?? '', 'base64url')
    const grant = {
      key: normalizeKey(key),
      method: granted ?? '',
      expires,
      contentType: query.get(PARAM.contentType),
      contentDisposition: query.get(PARAM.contentDisposition),
    }
    const expected = this.#signature(grant)
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      deny('the signature does not match')
    if ((method === 'HEAD' ? 'GET' : method) !== granted) deny(`it was signed for ${granted}, not ${method}`)
    const expiresAt = new Date(Number(expires) * 1000)
    if (!(expiresAt.getTime() > now)) deny('it has expired')
    const result: SignedGrant = { key: grant.key, method: granted as 'GET' | 'PUT', expiresAt }
    if (grant.contentType !== null) result.contentType = grant.contentType
    if (grant.contentDisposition !== null) result.contentDisposition = grant.contentDisposition
    return result
  }

  /** Splits one of this signer's URLs into the key and query that `verify` takes. */
  parse(url: string | URL): { key: string; query: URLSearchParams } {
    const parsed = new URL(url)
    const base = new URL(`${this.#baseUrl}/`)
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
