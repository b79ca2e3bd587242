import { isStorageError, type NormalizedKey, normalizeKey } from '@coffer/core'
import { authorizeAs } from '../domain/auth/authorize.ts'
import type { MultipartUploads } from '../domain/uploads/multipart-uploads.ts'
import { single } from '../http/receive-object.ts'
import { clientGone } from '../http/serve-object.ts'
import { checkConditions, copySource } from './copy-object.ts'
import { copyPartXml } from './multipart-xml.ts'
import { type S3Call, sendXml } from './s3-call.ts'
import { S3Error } from './s3-error.ts'

/** The part UploadPartCopy writes into. */
export interface PartTarget {
  uploads: MultipartUploads
  key: NormalizedKey
  uploadId: string
  partNumber: number
}

/** `x-amz-copy-source-range`: `bytes=first-last`, both given, within the source (S3 takes no other form). */
function sourceRange(
  call: S3Call,
  size: number,
): { header: string; first: number; last: number } | undefined {
  const value = single(call.request, 'x-amz-copy-source-range')
  if (value === undefined) return undefined
  const match = /^bytes=(\d{1,16})-(\d{1,16})$/.exec(value.trim())
  const [first, last] = match === null ? [] : [Number(match[1]), Number(match[2])]
  if (first === undefined || last === undefined || first > last) {
    throw new S3Error(
      'InvalidArgument',
      'The x-amz-copy-source-range value must be of the form bytes=first-last',
    )
  }
  if (last >= size) {
    throw new S3Error('InvalidRange', `The range is not satisfiable: the source object has ${size} bytes`)
  }
  return { header: `bytes=${first}-${last}`, first, last }
}

/**
 * UploadPartCopy: a part made of another object, or a range of it, that the credential may read
 * (`x-amz-copy-source`, its conditionals and `x-amz-copy-source-range`). The bytes stream from the
 * source through the bucket layer into the part, as an uploaded part's would.
 */
export async function copyPart(call: S3Call, target: PartTarget): Promise<void> {
  const from = copySource(call)
  const fromKey = normalizeKey(from.key)
  const objects = await authorizeAs(call.ctx, call.request, call.principal, from.bucket, [fromKey, 'read'])
  // Errors of this request are about its upload (NoSuchUpload); a missing source is NoSuchKey.
  const stat = await objects.stat(fromKey).catch((error: unknown) => {
    if (isStorageError(error, 'NotFound')) throw new S3Error('NoSuchKey', 'The specified key does not exist.')
    throw error
  })
  checkConditions(call, stat)
  const range = sourceRange(call, stat.size)
  const length = range === undefined ? stat.size : range.last - range.first + 1
  const source = { objects, key: fromKey, length, ...(range === undefined ? {} : { range: range.header }) }
  const part = await target.uploads.copyPart(
    target.key,
    target.uploadId,
    target.partNumber,
    source,
    clientGone(call.request, call.reply),
  )
  sendXml(call, copyPartXml(part.etag, new Date()))
}
