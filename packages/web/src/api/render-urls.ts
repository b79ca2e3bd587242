import type { CofferClient } from './coffer-client.ts'
import { contentOrigin } from './coffer-client.ts'

/** Keys one `render-urls` request signs at most (the server's limit). */
export const RENDER_URLS_PER_REQUEST = 1000

/** A key's path on the content origin: each segment percent-encoded. */
const keyPath = (key: string) => key.split('/').map(encodeURIComponent).join('/')

/**
 * The anonymous render URL of an object of a public bucket, on the content origin: `query` is a
 * variant (`variant=thumb`) or render parameters (`w=160&h=160`); `version` (the etag) makes the
 * answer immutable, so browsers keep it until the object changes.
 */
export function publicRenderUrl(
  bucket: string,
  key: string,
  query: string,
  version?: string,
  origin = contentOrigin(),
): string {
  const v = version === undefined ? '' : `&v=${encodeURIComponent(version.replaceAll('"', ''))}`
  return `${origin}/render/${encodeURIComponent(bucket)}/${keyPath(key)}?${query}${v}`
}

/**
 * Signed render URLs for many keys of a private bucket, one transform sealed in each, with one
 * request per thousand keys (`POST /v1/buckets/:bucket/render-urls`). Needs the sign permission and
 * read on every key; throws `ApiError` otherwise.
 */
export async function signRenders(
  client: CofferClient,
  bucket: string,
  keys: readonly string[],
  transform: string,
  expiresIn = 3600,
): Promise<{ urls: Map<string, string>; expiresAt: number }> {
  const urls = new Map<string, string>()
  let expiresAt = Number.POSITIVE_INFINITY
  for (let i = 0; i < keys.length; i += RENDER_URLS_PER_REQUEST) {
    const page = await client.json<{ urls: { key: string; url: string }[]; expiresAt: string }>(
      `/v1/buckets/${encodeURIComponent(bucket)}/render-urls`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ keys: keys.slice(i, i + RENDER_URLS_PER_REQUEST), transform, expiresIn }),
      },
    )
    for (const { key, url } of page.urls) urls.set(key, url)
    expiresAt = Math.min(expiresAt, Date.parse(page.expiresAt))
  }
  return { urls, expiresAt }
}
