import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3'
import { encodeKeyPath, type ObjectInfo } from '@coffer/core'
import type { MultipartDriver } from '@coffer/core/driver'
import { sendBody } from './s3-deadline.ts'
import { isUnsupported, stagedNeeded } from './s3-errors.ts'
import { headerFields, toS3Metadata } from './s3-metadata.ts'

/** The driver's wrapper of an S3 call: maps its failure to a `StorageError` about `what`. */
export type Call = <T>(what: string, key: string | undefined, run: () => Promise<T>) => Promise<T>

/**
 * S3's multipart API behind the driver contract, for resumable uploads in the service: parts of at
 * least 5 MiB (but the last), completed in order of part number. A server that does not implement
 * an operation of it (s3rver: ListParts, AbortMultipartUpload) fails with the error that names
 * `multipart: 'staged'` (`stagedNeeded`).
 */
export function multipartOf(
  client: S3Client,
  bucket: string,
  head: (key: string) => Promise<ObjectInfo>,
  driverCall: Call,
): MultipartDriver {
  const call: Call = (what, key, run) =>
    driverCall(what, key, () =>
      run().catch((error: unknown) => {
        throw isUnsupported(error) ? stagedNeeded(error, what) : error
      }),
    )
  return {
    createUpload: (key, opts) =>
      call('starting the upload', key, async () => {
        const output = await client.send(
          new CreateMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            ContentType: opts.contentType,
            Metadata: toS3Metadata(opts.metadata, opts.visibility),
            ...headerFields(opts),
          }),
        )
        return { uploadId: output.UploadId ?? '' }
      }),

    uploadPart: (key, uploadId, partNumber, body, opts) =>
      call('uploading a part', key, async () => {
        const input = { Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body }
        const length = opts?.contentLength === undefined ? {} : { ContentLength: opts.contentLength }
        const command = new UploadPartCommand({ ...input, ...length })
        const output = await sendBody(body, opts?.signal, (abortSignal) =>
          client.send(command, { abortSignal }),
        )
        return { etag: output.ETag ?? '' }
      }),

    completeUpload: (key, uploadId, parts, opts) =>
      call('completing the upload', key, async () => {
        const Parts = [...parts]
          .sort((a, b) => a.partNumber - b.partNumber)
          .map((p) => ({ PartNumber: p.partNumber, ETag: p.etag }))
        await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts },
          }),
          opts?.signal ? { abortSignal: opts.signal } : {},
        )
        // radosgw answers CompleteMultipartUpload with an empty ETag: read the object back.
        return head(key)
      }),

    /** UploadPartCopy: the backend copies the bytes, so a part of a 5 GiB object never streams here. */
    copyPart: (key, uploadId, partNumber, source, opts) =>
      call('copying a part', key, async () => {
        const range =
          opts.range === undefined ? {} : { CopySourceRange: `bytes=${opts.range.start}-${opts.range.end}` }
        const output = await client.send(
          new UploadPartCopyCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: partNumber,
            CopySource: `${bucket}/${encodeKeyPath(source)}`,
            ...range,
          }),
          opts.signal ? { abortSignal: opts.signal } : {},
        )
        return { etag: output.CopyPartResult?.ETag ?? '' }
      }),

    abortUpload: (key, uploadId) =>
      call('aborting the upload', key, async () => {
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
      }),

    listParts: (key, uploadId) =>
      call('listing parts', key, async () => {
        const parts: { partNumber: number; etag: string; size: number }[] = []
        let marker: string | undefined
        do {
          const output = await client.send(
            new ListPartsCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              ...(marker ? { PartNumberMarker: marker } : {}),
            }),
          )
          for (const p of output.Parts ?? [])
            parts.push({ partNumber: p.PartNumber ?? 0, etag: p.ETag ?? '', size: p.Size ?? 0 })
          marker = output.IsTruncated ? output.NextPartNumberMarker : undefined
        } while (marker)
        return parts
      }),
  }
}
