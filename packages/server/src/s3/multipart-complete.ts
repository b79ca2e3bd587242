import { isStorageError, multipartEtag, type NormalizedKey, type ObjectInfo } from '@coffer/core'
import type { BucketObjects } from '../domain/buckets/bucket-objects.ts'
import type { CompletedUpload } from '../domain/uploads/multipart-uploads.ts'
import { single } from '../http/receive-object.ts'
import { uploadsFor } from './multipart-operations.ts'
import { type CompletedPartRef, completeXml, parseCompleteMultipartUpload } from './multipart-xml.ts'
import { checkCompletedChecksum, joinedChecksum, startedChecksum } from './object-checksums.ts'
import { tagWritten } from './object-tagging.ts'
import { readSmallBody } from './read-small-body.ts'
import { type S3Call, sendXml } from './s3-call.ts'
import { S3Error } from './s3-error.ts'
import { refuseUnservedConditions } from './unserved-headers.ts'

/**
 * CompleteMultipartUpload (`POST ?uploadId`). Before the parts are joined, the checksum they make
 * (composite, or full-object from their CRCs) is worked out from what each part declared and checked
 * against the one the request sends, if any (`BadDigest`); the object's index row records it with
 * each part's size and checksum (for `x-amz-checksum-mode` and `partNumber` reads) as the object is
 * indexed, and then the tags the upload was started with.
 */
export async function completeUpload(call: S3Call, bucket: string, key: NormalizedKey, uploadId: string) {
  refuseUnservedConditions(call, 'none')
  const { objects, uploads } = await uploadsFor(call, bucket, key)
  // Its x-amz-checksum-* header is the object's (checked below), not the document's.
  const refs = parseCompleteMultipartUpload(await readSmallBody(call, { checksumOfObject: true }))
  const completing = uploads.complete(key, uploadId, refs, async (started, joined) => {
    // A part missing or changed fails the completion itself (InvalidPart), not its checksum.
    const declared = startedChecksum(started.checksum)
    if (declared === undefined || joined.length !== refs.length) return undefined
    checkNamedChecksums(refs, joined)
    const made = await joinedChecksum(declared, joined)
    checkCompletedChecksum(call, made)
    return made
  })
  const { info, upload, checksum } = await completing.catch(async (error: unknown) => {
    const done = await completedBefore(objects, key, refs, error)
    if (done === undefined) throw error
    return { info: done, upload: undefined, checksum: undefined }
  })
  if (upload !== undefined) await tagWritten(call, objects, key, info.etag, upload.tags)
  const host = single(call.request, 'host') ?? 'localhost'
  const location = `http://${host}/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`
  sendXml(call, completeXml(location, bucket, key, info.etag, checksum))
}

/**
 * The object a completion that is no longer in progress made, when the request is a retry of it
 * (its answer lost on the way): the key holds an object whose etag is the one these parts make.
 * S3 answers such a retry as it answered the completion; clients retry one whose answer they missed.
 */
async function completedBefore(
  objects: BucketObjects,
  key: NormalizedKey,
  refs: readonly CompletedPartRef[],
  error: unknown,
): Promise<ObjectInfo | undefined> {
  if (!isStorageError(error, 'NotFound') || refs.some((ref) => !/^"?[0-9a-f]{32}"?$/i.test(ref.etag)))
    return undefined
  const current = await objects.stat(key).catch(() => undefined)
  return current !== undefined && current.etag === multipartEtag(refs) ? current : undefined
}

/**
 * A part named with a checksum other than the one it was uploaded with is `InvalidPart`, as on S3.
 * Only where one was recorded: clients name the checksum each UploadPart answered, also for uploads
 * started without an algorithm, whose parts keep none.
 */
function checkNamedChecksums(refs: readonly CompletedPartRef[], joined: CompletedUpload['parts']): void {
  refs.forEach((ref, index) => {
    const recorded = joined[index]?.checksum
    if (ref.checksum !== undefined && recorded !== undefined && ref.checksum.value !== recorded)
      throw new S3Error(
        'InvalidPart',
        `The checksum given for part ${ref.partNumber} is not the one it was uploaded with.`,
      )
  })
}
