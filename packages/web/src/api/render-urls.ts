import { encodeKey } from '@coffer/client'
import { contentOrigin } from './coffer-client.ts'

/**
 * The anonymous render URL of an object of a public bucket, on the content origin: `query` is a
 * variant (`variant=thumb`) or render parameters (`w=160&h=160`) as the bucket's policy gives them;
 * `version` (the etag) makes the answer immutable, so browsers keep it until the object changes.
 * (The client's `objects.renderUrl` checks and orders parameters; these come from the server's policy
 * and carry a version, which its builder takes for variants only.)
 */
export function publicRenderUrl(
  bucket: string,
  key: string,
  query: string,
  version?: string,
  origin = contentOrigin(),
): string {
  const v = version === undefined ? '' : `&v=${encodeURIComponent(version.replaceAll('"', ''))}`
  return `${origin}/render/${encodeURIComponent(bucket)}/${encodeKey(key)}?${query}${v}`
}
