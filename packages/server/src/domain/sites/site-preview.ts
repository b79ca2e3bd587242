import { createHmac, timingSafeEqual } from 'node:crypto'

/** The cookie a preview link sets on a private site's origin. */
export const PREVIEW_COOKIE = 'coffer-preview'

/** The path of preview links on a site's origin; no deploy's file can be served there. */
export const PREVIEW_PATH = '/.coffer/preview'

function mac(secret: string, site: string, expires: number): string {
  // The purpose is signed too, so that no other HMAC Coffer makes with this secret can pass as one.
  return createHmac('sha256', secret).update(`coffer-site-preview\n${site}\n${expires}`).digest('base64url')
}

/**
 * A preview grant for a private site: `<expires>.<mac>`, with `expires` in Unix seconds. It is the
 * query of the preview link and, once opened, the value of the site's cookie; it opens that one
 * site until it expires. It holds no identity: whoever has the link can look.
 */
export function previewToken(secret: string, site: string, expires: number): string {
  return `${expires}.${mac(secret, site, expires)}`
}

/** The grant's expiry (Unix seconds) when `token` opens `site` now, else undefined. */
export function verifyPreview(
  secret: string,
  site: string,
  token: string | undefined,
  now = Date.now(),
): number | undefined {
  const match = token === undefined ? null : /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token)
  if (match === null) return undefined
  const expires = Number(match[1])
  if (expires * 1000 <= now) return undefined
  const expected = Buffer.from(mac(secret, site, expires))
  const given = Buffer.from(match[2] as string)
  return given.length === expected.length && timingSafeEqual(given, expected) ? expires : undefined
}

/**
 * Every value of `name` in a Cookie header (RFC 6265 §5.4), in the order sent. A cookie of the same
 * name set for a parent domain by another site (`Domain=sites.example`, "cookie tossing") comes
 * first, so each value must be tried: taking the first let any site lock visitors out of every
 * private site's preview.
 */
export function cookieValues(header: string | undefined, name: string): string[] {
  const values: string[] = []
  for (const pair of header?.split(';') ?? []) {
    const at = pair.indexOf('=')
    if (at !== -1 && pair.slice(0, at).trim() === name) values.push(pair.slice(at + 1).trim())
  }
  return values
}

/**
 * The Set-Cookie of a preview grant. No Domain attribute: a host-only cookie goes back to this
 * site's host alone, never to another site or to the API origin (RFC 6265 §5.3 step 6). HttpOnly
 * keeps the site's scripts from reading it; SameSite=Lax still sends it when the link is followed
 * from elsewhere; Secure over HTTPS.
 */
export function previewCookie(token: string, expires: number, secure: boolean, now = Date.now()): string {
  const maxAge = Math.max(0, expires - Math.floor(now / 1000))
  const attributes = [`${PREVIEW_COOKIE}=${token}`, 'Path=/', `Max-Age=${maxAge}`, 'HttpOnly', 'SameSite=Lax']
  if (secure) attributes.push('Secure')
  return attributes.join('; ')
}
