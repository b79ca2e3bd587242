import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3'

/**
 * Aborts the multipart uploads of the bucket started before `olderThan`, and returns how many. Uploads
 * are orphaned when an abort fails, or when a CreateMultipartUpload whose answer was lost is retried
 * (the first upload id never reaches Coffer); their parts are billed until aborted. An upload that
 * completes or vanishes meanwhile (`NoSuchUpload`) is not counted.
 */
export async function sweepUploads(
  client: S3Client,
  bucket: string,
  olderThan: Date,
  signal?: AbortSignal,
): Promise<number> {
  const options = signal ? { abortSignal: signal } : {}
  let aborted = 0
  let keyMarker: string | undefined
  let uploadIdMarker: string | undefined
  do {
    const page = await client.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        ...(keyMarker === undefined ? {} : { KeyMarker: keyMarker }),
        ...(uploadIdMarker === undefined ? {} : { UploadIdMarker: uploadIdMarker }),
      }),
      options,
    )
    for (const upload of page.Uploads ?? []) {
      if (upload.Key === undefined || upload.UploadId === undefined) continue
      if (upload.Initiated === undefined || upload.Initiated >= olderThan) continue
      const input = { Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }
      try {
        await client.send(new AbortMultipartUploadCommand(input), options)
        aborted += 1
      } catch (error) {
        if ((error as { name?: string }).name !== 'NoSuchUpload') throw error
      }
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined
    uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined
  } while (keyMarker !== undefined)
  return aborted
}
