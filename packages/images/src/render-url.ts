import { parseTransform, type TransformInput } from './parse-transform.ts'
import { canonicalTransform } from './transform.ts'

/** What a render URL asks for: render parameters, or one of the bucket's named variants. */
export type RenderUrlOptions = TransformInput | { variant: string; v?: string }

/**
 * The URL of a public render on the content origin: `<contentUrl>/render/<bucket>/<key>?w=…`, with the
 * parameters checked and in canonical order (so equal renders get equal URLs, which caches share).
 * `v` (a version tag such as the object's etag) makes the answer cacheable for a year. Private
 * buckets need a signed render URL instead (`POST /v1/buckets/:bucket/sign` with `transform`).
 */
export function renderUrl(
  contentUrl: string,
  bucket: string,
  key: string,
  options: RenderUrlOptions = {},
): string {
  const path = key.split('/').map(encodeURIComponent).join('/')
  const base = `${contentUrl.replace(/\/+$/, '')}/render/${encodeURIComponent(bucket)}/${path}`
  const query = new URLSearchParams()
  if (
    typeof options === 'object' &&
    !(options instanceof URLSearchParams) &&
    typeof options.variant === 'string'
  ) {
    query.set('variant', options.variant)
    if (typeof options.v === 'string') query.set('v', options.v)
  } else {
    const canonical = canonicalTransform(parseTransform(options as TransformInput))
    for (const pair of canonical === '' ? [] : canonical.split(',')) {
      const [name = '', value = ''] = pair.split('=')
      query.set(name, value)
    }
  }
  const text = query.toString()
  return text === '' ? base : `${base}?${text}`
}
