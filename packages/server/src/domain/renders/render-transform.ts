import { StorageError } from '@coffer/core'
import { parseTransform, type Transform } from '@coffer/images'
import type { Bucket } from '../buckets/bucket-store.ts'

/** Query parameters of render URLs that are not render parameters. */
const OWN_PARAMS = ['variant', 'download']

/** Who asks for a render: anonymous callers are held to the bucket's `renders` mode. */
export type RenderCaller = 'anonymous' | 'credential' | 'signed'

/**
 * The transform a render request asks for, under the bucket's policy: `?variant=<name>` names one
 * of the bucket's variants (and nothing else may be given with it); other render parameters are a
 * transform of their own, which anonymous callers may ask for only where `renders` is `any`.
 * `renders: 'none'` refuses every render. Throws `AccessDenied` or `InvalidArgument`.
 */
export function renderTransform(bucket: Bucket, query: URLSearchParams, caller: RenderCaller): Transform {
  const mode = bucket.renders ?? 'any'
  if (mode === 'none') throw new StorageError('AccessDenied', `bucket "${bucket.name}" renders no images`)
  const variant = query.get('variant')
  if (variant !== null) {
    const spec = bucket.variants?.[variant]
    if (spec === undefined || !Object.hasOwn(bucket.variants ?? {}, variant)) {
      throw new StorageError(
        'InvalidArgument',
        `bucket "${bucket.name}" has no variant "${variant.slice(0, 40)}"`,
      )
    }
    const others = [...query.keys()].filter((name) => !OWN_PARAMS.includes(name))
    if (others.length > 0)
      throw new StorageError('InvalidArgument', 'a variant takes no other render parameters')
    return parseTransform(spec)
  }
  const transform = parseTransform(query, { ignore: OWN_PARAMS })
  if (caller === 'anonymous' && mode === 'variants') {
    const names = Object.keys(bucket.variants ?? {}).join(', ')
    throw new StorageError(
      'AccessDenied',
      `bucket "${bucket.name}" renders only its variants: ${names || 'none'}`,
    )
  }
  return transform
}
