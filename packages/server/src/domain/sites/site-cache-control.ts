/**
 * A file name with a content hash before its extension, as bundlers write them: `app.3f9a61c2.js`,
 * `index-DrMj0zBS.css` (Vite: 8 base64url characters). A hash has a digit or mixes letter cases,
 * so that `jquery-longname.js` is not taken for one.
 */
const FINGERPRINT = /[.-]([A-Za-z0-9_-]{8,})\.[A-Za-z0-9]+$/

function isFingerprinted(path: string): boolean {
  const hash = FINGERPRINT.exec(path)?.[1]
  return hash !== undefined && (/\d/.test(hash) || (/[a-z]/.test(hash) && /[A-Z]/.test(hash)))
}

/** A year, the longest max-age that caches are expected to honour (RFC 9111 §5.2.2.1, in practice). */
const YEAR = 365 * 24 * 60 * 60

/**
 * The Cache-Control of a site's file. Fingerprinted assets never change under their name: cached
 * for a year, `immutable`. Everything else, HTML first, is revalidated on every use (`no-cache`
 * with the ETag gives a cheap 304), so that switching the live deploy shows at once. Private sites'
 * files stay out of shared caches.
 */
export function siteCacheControl(path: string, isPublic: boolean): string {
  const scope = isPublic ? 'public' : 'private'
  if (!/\.html?$/i.test(path) && isFingerprinted(path)) return `${scope}, max-age=${YEAR}, immutable`
  return `${scope}, no-cache`
}
