import { single } from '../http/receive-object.ts'
import type { S3Call } from './s3-call.ts'
import { S3Error } from './s3-error.ts'

/**
 * Whether a write (PutObject, CopyObject, CompleteMultipartUpload) is create-only: S3's
 * `If-None-Match: *`. A write conditional on an ETag (`If-Match`, or `If-None-Match` with a tag)
 * is refused as not served rather than done unconditionally: a client must never believe a write
 * waited for its condition when it did not.
 */
export function createOnly(call: S3Call): boolean {
  if (single(call.request, 'if-match') !== undefined) {
    throw new S3Error(
      'NotImplemented',
      'If-Match on a write is not served here; If-None-Match: * (create only) is',
    )
  }
  const ifNoneMatch = single(call.request, 'if-none-match')
  if (ifNoneMatch === undefined) return false
  if (ifNoneMatch.trim() !== '*')
    throw new S3Error('NotImplemented', 'If-None-Match on a write takes only *: create only')
  return true
}
