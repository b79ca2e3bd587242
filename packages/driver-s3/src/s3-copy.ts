import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  PutObjectTaggingCommand,
  type S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3'
import { encodeKeyPath, type ObjectInfo, StorageError } from '@coffer/core'
import type { DriverCopyOptions, DriverPutOptions } from '@coffer/core/driver'
import { s3Error } from './s3-errors.ts'
import { headerFields, SHA256_TAG, toS3Metadata } from './s3-metadata.ts'
import { MiB } from './s3-options.ts'

/** CopyObject's limit; larger objects are copied part by part (UploadPartCopy). */
const MAX_SINGLE_COPY = 5 * 1024 * MiB
const COPY_PART = 512 * MiB

export interface CopyContext {
  client: S3Client
  bucket: string
  acl: boolean
  /** The server takes `If-None-Match: *` on CopyObject and CompleteMultipartUpload (AWS). */
  conditionalWrites: boolean
  head(key: string, signal?: AbortSignal): Promise<ObjectInfo>
  /** The source's info and the etag the S3 server gives it (`statObject`), which the copy pins. */
  stat(key: string, signal?: AbortSignal): Promise<{ info: ObjectInfo; pin: string }>
}

/** The fields that describe an object, from new attributes or from its source. */
function describe(ctx: CopyContext, source: ObjectInfo, attributes: DriverPutOptions | undefined) {
  const from = attributes ?? source
  return {
    ContentType: from.contentType,
    Metadata: toS3Metadata(from.metadata, from.visibility, source.checksum.sha256),
    ...headerFields(from),
    ...(ctx.acl
      ? { ACL: from.visibility === 'public' ? ('public-read' as const) : ('private' as const) }
      : {}),
  }
}

async function exists(ctx: CopyContext, key: string, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await ctx.head(key, signal)
    return true
  } catch (error) {
    // `head` throws the SDK's own errors here: the driver maps them once, around the whole copy.
    if (s3Error(error, 'reading the object', key).code === 'NotFound') return false
    throw error
  }
}

/**
 * Server-side copy: CopyObject up to 5 GiB (replacing the metadata when new attributes are given),
 * UploadPartCopy in 512 MiB parts above. The sha256 travels with the metadata or the tags. Create-only
 * (`ifNoneMatch: '*'`) is sent as `If-None-Match: *` where the server takes it (`conditionalWrites`:
 * atomic on AWS), after a look at the target; elsewhere the service has looked at the target first.
 */
export async function copyObject(
  ctx: CopyContext,
  from: string,
  to: string,
  opts: DriverCopyOptions,
): Promise<ObjectInfo> {
  const signal = opts.signal ? { abortSignal: opts.signal } : {}
  const { info: source, pin } = await ctx.stat(from, opts.signal)
  const CopySource = `${ctx.bucket}/${encodeKeyPath(from)}`
  const condition = opts.ifNoneMatch === '*' && ctx.conditionalWrites ? { IfNoneMatch: '*' } : {}
  // Ceph RGW 16 honours If-None-Match on PutObject but ignores it on CopyObject (seen here): a server
  // that takes conditional puts may still copy over a taken name, so the target is looked at too.
  if (condition.IfNoneMatch !== undefined && (await exists(ctx, to, opts.signal))) {
    throw new StorageError('PreconditionFailed', (name) => `an object already exists at "${name}"`, {
      key: to,
    })
  }
  if (source.size <= MAX_SINGLE_COPY) {
    const replace = opts.attributes !== undefined
    const input = { Bucket: ctx.bucket, Key: to, CopySource, CopySourceIfMatch: pin, ...condition }
    const fields = replace
      ? { MetadataDirective: 'REPLACE' as const, ...describe(ctx, source, opts.attributes) }
      : {}
    await ctx.client.send(new CopyObjectCommand({ ...input, ...fields }), signal)
  } else {
    await copyInParts(ctx, source, { to, CopySource, pin, condition }, opts.attributes, signal)
  }
  return ctx.head(to, opts.signal)
}

interface CopyTarget {
  to: string
  CopySource: string
  /** The source's etag as the S3 server gives it. */
  pin: string
  condition: { IfNoneMatch?: string }
}

async function copyInParts(
  ctx: CopyContext,
  source: ObjectInfo,
  { to, CopySource, pin, condition }: CopyTarget,
  attributes: DriverPutOptions | undefined,
  signal: { abortSignal?: AbortSignal },
): Promise<void> {
  const target = { Bucket: ctx.bucket, Key: to }
  const created = await ctx.client.send(
    new CreateMultipartUploadCommand({ ...target, ...describe(ctx, source, attributes) }),
    signal,
  )
  const UploadId = created.UploadId
  const parts: { PartNumber: number; ETag: string }[] = []
  for (let start = 0, n = 1; start < source.size; start += COPY_PART, n++) {
    const end = Math.min(start + COPY_PART, source.size) - 1
    const part = await ctx.client.send(
      new UploadPartCopyCommand({
        ...target,
        UploadId,
        PartNumber: n,
        CopySource,
        CopySourceIfMatch: pin,
        CopySourceRange: `bytes=${start}-${end}`,
      }),
      signal,
    )
    parts.push({ PartNumber: n, ETag: part.CopyPartResult?.ETag ?? '' })
  }
  await ctx.client.send(
    new CompleteMultipartUploadCommand({
      ...target,
      ...condition,
      UploadId,
      MultipartUpload: { Parts: parts },
    }),
    signal,
  )
  if (source.checksum.sha256 !== undefined) {
    const Tagging = { TagSet: [{ Key: SHA256_TAG, Value: source.checksum.sha256 }] }
    await ctx.client.send(new PutObjectTaggingCommand({ ...target, Tagging }), signal)
  }
}
