import type { Readable } from 'node:stream'
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3'
import {
  isStorageError,
  type NotModified,
  type ObjectInfo,
  type ObjectStream,
  type RangeSpec,
  StorageError,
} from '@coffer/core'
import { type DriverGetOptions, ifNoneMatchMatches, resolveRange } from '@coffer/core/driver'
import { s3Error } from './s3-errors.ts'
import { fromS3Metadata, SHA256_TAG } from './s3-metadata.ts'
import { ResumingBody } from './s3-resume.ts'

type ObjectOutput = HeadObjectCommandOutput | GetObjectCommandOutput

/**
 * The `ObjectInfo` of a HeadObject or GetObject answer (`size` given: a range answer's length is
 * partial). The etag is the multipart etag kept in the metadata by staged multipart, else S3's.
 */
export function infoOf(key: string, output: ObjectOutput, size: number): ObjectInfo {
  const { metadata, visibility, sha256, etag } = fromS3Metadata(output.Metadata)
  const info: ObjectInfo = {
    key,
    size,
    etag: etag ?? output.ETag ?? '',
    contentType: output.ContentType ?? 'application/octet-stream',
    lastModified: output.LastModified ?? new Date(0),
    metadata,
    visibility,
    checksum: sha256 === undefined ? {} : { sha256 },
  }
  if (output.CacheControl !== undefined) info.cacheControl = output.CacheControl
  if (output.ContentDisposition !== undefined) info.contentDisposition = output.ContentDisposition
  if (output.ContentEncoding !== undefined) info.contentEncoding = output.ContentEncoding
  return info
}

/** Multipart uploads (and their copies) learn their sha256 after the metadata was sent: it lives in a tag. */
async function withTaggedSha256(client: S3Client, bucket: string, info: ObjectInfo, signal?: AbortSignal) {
  if (info.checksum.sha256 !== undefined) return info
  const tags = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: info.key }), {
    ...(signal ? { abortSignal: signal } : {}),
  })
  const sha256 = tags.TagSet?.find((tag) => tag.Key === SHA256_TAG)?.Value
  return sha256 === undefined ? info : { ...info, checksum: { sha256 } }
}

/**
 * HeadObject: the object's info, and `pin`, the etag the S3 server itself gives it, which `If-Match`
 * and `CopySourceIfMatch` must name (it differs from `info.etag` for a staged multipart object).
 */
export async function statObject(client: S3Client, bucket: string, key: string, signal?: AbortSignal) {
  const output = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), {
    ...(signal ? { abortSignal: signal } : {}),
  })
  const info = await withTaggedSha256(client, bucket, infoOf(key, output, output.ContentLength ?? 0), signal)
  return { info, pin: output.ETag ?? info.etag }
}

export async function headObject(client: S3Client, bucket: string, key: string, signal?: AbortSignal) {
  return (await statObject(client, bucket, key, signal)).info
}

function rangeHeader(spec: RangeSpec): string {
  if ('suffix' in spec) {
    if (spec.suffix <= 0)
      throw new StorageError('InvalidRange', 'a suffix range must ask for at least one byte')
    return `bytes=-${spec.suffix}`
  }
  return `bytes=${spec.start}-${spec.end ?? ''}`
}

/** `bytes a-b/size` → the resolved range. */
function parseContentRange(header: string | undefined) {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header ?? '')
  if (!match) return undefined
  return { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) }
}

/**
 * GetObject. `If-None-Match` is evaluated here with RFC 9110's weak comparison (servers differ in
 * how they treat lists and `W/` tags); the GetObject then pins the etag it compared with `If-Match`.
 * An unsatisfiable range fails `InvalidRange` with the object's size: from S3's error document, or,
 * where a server leaves it out, from a HEAD (only on that failure).
 */
export async function getObject(
  client: S3Client,
  bucket: string,
  key: string,
  opts: DriverGetOptions,
): Promise<ObjectStream | NotModified> {
  try {
    return await getOnce(client, bucket, key, opts)
  } catch (error) {
    const failure = s3Error(error, 'reading the object', key)
    if (!isStorageError(failure, 'InvalidRange') || failure.objectSize !== undefined) throw failure
    const { size } = await headObject(client, bucket, key, opts.signal)
    throw new StorageError('InvalidRange', failure.message, { cause: failure.cause, key, objectSize: size })
  }
}

async function getOnce(
  client: S3Client,
  bucket: string,
  key: string,
  opts: DriverGetOptions,
): Promise<ObjectStream | NotModified> {
  const signal = opts.signal ? { abortSignal: opts.signal } : {}
  let ifMatch: string | undefined
  if (opts.ifNoneMatch !== undefined) {
    const { info, pin } = await statObject(client, bucket, key, opts.signal)
    if (ifNoneMatchMatches(opts.ifNoneMatch, info.etag)) return { notModified: true, info }
    ifMatch = pin
  }
  const input = { Bucket: bucket, Key: key, ...(ifMatch ? { IfMatch: ifMatch } : {}) }
  const range = opts.range ? rangeHeader(opts.range) : undefined
  let output = await client.send(new GetObjectCommand(range ? { ...input, Range: range } : input), signal)
  let resolved = range ? parseContentRange(output.ContentRange) : undefined
  if (
    opts.range &&
    'suffix' in opts.range &&
    resolved &&
    resolved.start !== Math.max(0, resolved.size - opts.range.suffix)
  ) {
    // Some servers (s3rver) answer a suffix range from the start: ask again for the exact bytes.
    ;(output.Body as Readable).destroy()
    const start = Math.max(0, resolved.size - opts.range.suffix)
    const exact = { ...input, Range: `bytes=${start}-${resolved.size - 1}`, IfMatch: output.ETag }
    output = await client.send(new GetObjectCommand(exact), signal)
    resolved = parseContentRange(output.ContentRange)
  }
  if (resolved && resolved.start >= resolved.size) {
    // s3rver answers a range on an empty object with 206 "bytes 0-0/0", then resets the connection.
    ;(output.Body as Readable).destroy()
    throw new StorageError('InvalidRange', `range starts past the object's ${resolved.size} bytes`, {
      objectSize: resolved.size,
    })
  }
  if (opts.range && !resolved) {
    // The server ignored the range (s3rver does for unsatisfiable ones): apply RFC 9110 here.
    const whole = output.ContentLength ?? 0
    let exact: ReturnType<typeof resolveRange>
    try {
      exact = resolveRange(opts.range, whole)
    } finally {
      if (!exact) (output.Body as Readable).destroy()
    }
    if (exact && (exact.start > 0 || exact.end < whole - 1)) {
      ;(output.Body as Readable).destroy()
      const retry = { ...input, Range: `bytes=${exact.start}-${exact.end}`, IfMatch: output.ETag }
      output = await client.send(new GetObjectCommand(retry), signal)
    }
    resolved = exact
  }
  const size = resolved?.size ?? output.ContentLength ?? 0
  let info: ObjectInfo
  try {
    info = await withTaggedSha256(client, bucket, infoOf(key, output, size), opts.signal)
  } catch (error) {
    ;(output.Body as Readable).destroy() // its socket goes back to no one otherwise
    throw error
  }
  const start = resolved?.start ?? 0
  const length = resolved ? resolved.end - resolved.start + 1 : size
  const etag = output.ETag
  const reopen = etag
    ? async (offset: number) => {
        const rest = {
          Bucket: bucket,
          Key: key,
          IfMatch: etag,
          Range: `bytes=${start + offset}-${start + length - 1}`,
        }
        return (await client.send(new GetObjectCommand(rest), signal)).Body as Readable
      }
    : undefined
  const body = new ResumingBody(output.Body as Readable, length, key, reopen)
  return resolved ? { notModified: false, body, info, range: resolved } : { notModified: false, body, info }
}
