import type { S3Client } from '@aws-sdk/client-s3'
import { createPresignedPost } from '@aws-sdk/s3-presigned-post'
import { StorageError } from '@coffer/core'

export interface PresignPostOptions {
  /** Largest upload the form accepts, in bytes (the server enforces `content-length-range`). */
  maxSize: number
  /** The exact content type the upload must declare. */
  contentType?: string
  /** Seconds, 1 to 604800. */
  expiresIn: number
}

/**
 * A presigned POST for direct browser uploads: a URL and form fields whose policy the S3 server
 * enforces (size range, content type, key), so the browser needs no credentials of its own.
 */
export async function presignPost(client: S3Client, bucket: string, key: string, opts: PresignPostOptions) {
  if (!Number.isSafeInteger(opts.maxSize) || opts.maxSize < 0) {
    throw new StorageError('InvalidArgument', 'maxSize must be a whole number of bytes')
  }
  if (!Number.isInteger(opts.expiresIn) || opts.expiresIn < 1 || opts.expiresIn > 604_800) {
    throw new StorageError('InvalidArgument', 'expiresIn must be a whole number of seconds from 1 to 604800')
  }
  const conditions: Parameters<typeof createPresignedPost>[1]['Conditions'] = [
    ['content-length-range', 0, opts.maxSize],
  ]
  const fields: Record<string, string> = {}
  if (opts.contentType !== undefined) {
    conditions.push(['eq', '$Content-Type', opts.contentType])
    fields['Content-Type'] = opts.contentType
  }
  return createPresignedPost(client, {
    Bucket: bucket,
    Key: key,
    Conditions: conditions,
    Fields: fields,
    Expires: opts.expiresIn,
  })
}
