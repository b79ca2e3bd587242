import type { Digest, DriverPutOptions } from '../driver.ts'
import type { ObjectAttributes, ObjectInfo } from '../types.ts'

/** Copies the optional attributes that are set, leaving absent ones absent (not `undefined`). */
export function optionalAttributes(
  from: ObjectAttributes,
): Pick<ObjectInfo, 'cacheControl' | 'contentDisposition' | 'contentEncoding'> {
  const out: Pick<ObjectInfo, 'cacheControl' | 'contentDisposition' | 'contentEncoding'> = {}
  if (from.cacheControl !== undefined) out.cacheControl = from.cacheControl
  if (from.contentDisposition !== undefined) out.contentDisposition = from.contentDisposition
  if (from.contentEncoding !== undefined) out.contentEncoding = from.contentEncoding
  return out
}

/** The `ObjectInfo` of a write that has just completed, for drivers that keep their own records. */
export function objectInfo(
  key: string,
  digest: Digest,
  opts: Pick<DriverPutOptions, 'contentType' | 'metadata' | 'visibility'> & ObjectAttributes,
): ObjectInfo {
  return {
    key,
    size: digest.size,
    etag: `"${digest.md5 ?? ''}"`,
    contentType: opts.contentType,
    lastModified: new Date(),
    metadata: { ...opts.metadata },
    visibility: opts.visibility,
    checksum: digest.sha256 === '' ? {} : { sha256: digest.sha256 },
    ...optionalAttributes(opts),
  }
}
