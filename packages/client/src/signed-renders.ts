import type { RenderUrls } from './api-types.ts'
import type { CallOptions, HttpTransport } from './http-transport.ts'
import { bucketPath } from './key-path.ts'

/** Keys one `render-urls` request signs at most (the service's limit: a listing page's worth). */
export const RENDER_URLS_PER_REQUEST = 1000

/** How a batch of signed renders is made. */
export interface SignRendersOptions extends CallOptions {
  /** Seconds until the URLs stop working; default 3600. */
  expiresIn?: number | undefined
}

/**
 * Signed render URLs for many keys of a bucket, one transform sealed in each, with one request per
 * thousand keys (`POST /v1/buckets/:bucket/render-urls`): a private folder's thumbnails cost one
 * request per page, not one per image. The answer's `expiresAt` is the earliest of its requests'.
 */
export async function signRenders(
  transport: HttpTransport,
  bucket: string,
  keys: readonly string[],
  transform: string | Record<string, string | number>,
  options: SignRendersOptions = {},
): Promise<RenderUrls> {
  const { signal, timeout, expiresIn = 3600 } = options
  const urls: RenderUrls['urls'] = []
  let expiresAt: string | undefined
  for (let i = 0; i < keys.length; i += RENDER_URLS_PER_REQUEST) {
    const page = await transport.json<RenderUrls>({
      method: 'POST',
      path: `${bucketPath(bucket)}/render-urls`,
      json: { keys: keys.slice(i, i + RENDER_URLS_PER_REQUEST), transform, expiresIn },
      signal,
      timeout,
    })
    urls.push(...page.urls)
    if (expiresAt === undefined || Date.parse(page.expiresAt) < Date.parse(expiresAt))
      expiresAt = page.expiresAt
  }
  return { urls, expiresAt: expiresAt ?? new Date(Date.now() + expiresIn * 1000).toISOString() }
}
