import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3'
import { deleteStaged, isManifest, listUnder, STAGING_PREFIX } from './s3-staging.ts'

/**
 * Aborts the multipart uploads of the bucket started before `olderThan`, and returns how many. Uploads
 * are orphaned when an abort fails, or when a CreateMultipartUpload whose answer was lost is retried
 * (the first upload id never reaches Coffer); their parts are billed until aborted. An upload that
 * completes or vanishes meanwhile (`NoSuchUpload`) is not counted.
 */
export async function sweepNative(
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

/**
 * Removes the staged multipart uploads (`S3DriverOptions.multipart: 'staged'`) started before
 * `olderThan`, and returns how many. Every staging object written before then goes: the manifests and
 * parts of those uploads, and the parts left by an upload that completed or was aborted while a part
 * was still on its way (a part is written after its upload's manifest, so it is never older than the
 * upload it belongs to). The listing's order does not matter (s3rver keeps none).
 */
export async function sweepStaged(
  client: S3Client,
  bucket: string,
  olderThan: Date,
  signal?: AbortSignal,
): Promise<number> {
  let removed = 0
  for await (const page of listUnder(client, bucket, STAGING_PREFIX, signal)) {
    const stale = page
      .filter((object) => object.LastModified !== undefined && object.LastModified < olderThan)
      .map((object) => object.Key ?? '')
    await deleteStaged(client, bucket, stale, signal)
    removed += stale.filter(isManifest).length
  }
  return removed
}
