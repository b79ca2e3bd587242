import { normalizeDisposition, normalizeMediaType, type PresignOptions } from '@coffer/core'

/**
 * A signed URL's options with its pinned `contentType` and `contentDisposition` checked by the
 * upload rules and in canonical form (`InvalidArgument` otherwise), at signing time: a value that
 * could not be a header, or that a browser would read differently from Coffer, would otherwise fail
 * or mislead at every use of the URL (and S3 serves a presigned GET's pinned headers as they are).
 * A disposition's file name may be any text: it goes out as RFC 8187 `filename*`.
 */
export function pinnedHeaders<T extends PresignOptions>(opts: T): T {
  const out = { ...opts }
  if (opts.contentType !== undefined) out.contentType = normalizeMediaType(opts.contentType)
  if (opts.contentDisposition !== undefined)
    out.contentDisposition = normalizeDisposition(opts.contentDisposition)
  return out
}
