import {
  type MoveOptions,
  type NormalizedKey,
  normalizeKey,
  type ObjectInfo,
  type UploadOptions,
} from '@coffer/core'
import { authorizeAs } from '../domain/auth/authorize.ts'
import { single } from '../http/receive-object.ts'
import { refuseAcl } from './canned-acl.ts'
import { putOptions } from './object-operations.ts'
import { copiedTags, tagWritten } from './object-tagging.ts'
import { type S3Call, s3Path, sendXml } from './s3-call.ts'
import { S3Error } from './s3-error.ts'
import { copyObjectResultXml } from './s3-results.ts'
import { createOnlyOf, refuseUnservedConditions } from './unserved-headers.ts'

/** The bucket and key of `x-amz-copy-source` (`[/]bucket/key[?versionId=null]`, URL-encoded). */
export function copySource(call: S3Call): { bucket: string; key: string } {
  const header = single(call.request, 'x-amz-copy-source') ?? ''
  const [path = '', query] = header.split('?')
  if (query !== undefined && query !== 'versionId=null') {
    throw new S3Error('NotImplemented', 'this endpoint keeps no versions: copy the current one')
  }
  const { bucket, key } = s3Path(path.startsWith('/') ? path : `/${path}`)
  if (bucket === undefined || key === undefined) {
    throw new S3Error('InvalidArgument', 'x-amz-copy-source must name a bucket and a key')
  }
  return { bucket, key }
}

function unquoted(etag: string): string {
  return etag.replaceAll('"', '')
}

/** A copy-source date condition, or undefined when absent or not a date (ignored then, as by S3). */
function dateOf(call: S3Call, name: string): Date | undefined {
  const value = single(call.request, name)
  const date = value === undefined ? undefined : new Date(value)
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date
}

/**
 * The copy-source conditionals against the source, as S3 weighs them: `-if-match` (when given and
 * true, `-if-unmodified-since` is not consulted), `-if-none-match` (when given and true,
 * `-if-modified-since` is not), and the two dates at one-second precision. Any that fails: 412.
 */
export function checkConditions(call: S3Call, source: ObjectInfo): void {
  const etag = unquoted(source.etag)
  const tags = (name: string) =>
    single(call.request, name)
      ?.split(',')
      .map((tag) => unquoted(tag.trim()))
  const matches = (tag: string) => tag === etag || tag === '*'
  const ifMatch = tags('x-amz-copy-source-if-match')
  const ifNoneMatch = tags('x-amz-copy-source-if-none-match')
  const modified = Math.floor(source.lastModified.getTime() / 1000) * 1000
  const unmodifiedSince = dateOf(call, 'x-amz-copy-source-if-unmodified-since')
  const modifiedSince = dateOf(call, 'x-amz-copy-source-if-modified-since')
  const failed =
    (ifMatch !== undefined && !ifMatch.some(matches)) ||
    (ifMatch === undefined && unmodifiedSince !== undefined && modified > unmodifiedSince.getTime()) ||
    ifNoneMatch?.some(matches) === true ||
    (ifNoneMatch === undefined && modifiedSince !== undefined && modified <= modifiedSince.getTime())
  if (failed) {
    throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold')
  }
}

/** What a copy keeps of its source with `x-amz-metadata-directive: COPY`: everything but the bytes. */
function copiedAttributes(info: ObjectInfo): Omit<UploadOptions, 'key'> {
  const opts: Omit<UploadOptions, 'key'> = { metadata: info.metadata ?? {}, contentType: info.contentType }
  if (info.cacheControl !== undefined) opts.cacheControl = info.cacheControl
  if (info.contentDisposition !== undefined) opts.contentDisposition = info.contentDisposition
  if (info.contentEncoding !== undefined) opts.contentEncoding = info.contentEncoding
  return opts
}

/** Whether a copy asks to change what S3 lets a copy of an object onto itself change besides metadata. */
function changesStorage(call: S3Call): boolean {
  return ['x-amz-storage-class', 'x-amz-website-redirect-location', 'x-amz-server-side-encryption'].some(
    (name) => call.request.headers[name] !== undefined,
  )
}

/**
 * CopyObject: within a bucket the bucket layer copies server-side (the backend's own copy); across
 * buckets, or with `x-amz-metadata-directive: REPLACE`, the source streams into an upload with the
 * destination's policy, quota and index. Either way the write goes through the bucket layer, and the
 * copy has its source's headers and metadata (COPY) or the request's (REPLACE), as on S3. A copy
 * onto itself must change something (`InvalidRequest`, as on S3).
 */
export async function copyObject(call: S3Call, bucket: string, key: NormalizedKey): Promise<void> {
  refuseAcl(call, 'object')
  refuseUnservedConditions(call, 'create-only')
  const createOnly: MoveOptions = createOnlyOf(call)
  const source = copySource(call)
  const from = { bucket: source.bucket, key: normalizeKey(source.key) }
  const target = await authorizeAs(call.ctx, call.request, call.principal, bucket, [key, 'write'])
  const objects =
    from.bucket === bucket
      ? await authorizeAs(call.ctx, call.request, call.principal, bucket, [from.key, 'read'], [key, 'write'])
      : await authorizeAs(call.ctx, call.request, call.principal, from.bucket, [from.key, 'read'])
  const directive = single(call.request, 'x-amz-metadata-directive') ?? 'COPY'
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new S3Error('InvalidArgument', 'x-amz-metadata-directive must be COPY or REPLACE')
  }
  if (from.bucket === bucket && from.key === key && directive === 'COPY' && !changesStorage(call)) {
    throw new S3Error(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    )
  }
  const stat = await objects.stat(from.key)
  checkConditions(call, stat)
  const tags = await copiedTags(call, objects, from.key)
  let info: ObjectInfo
  if (from.bucket === bucket && directive === 'COPY') {
    info = await target.copy(from.key, key, createOnly)
  } else {
    const read = await objects.get(from.key, {})
    if (read.notModified) throw new S3Error('InternalError', 'the source changed during the copy')
    const opts = {
      ...(directive === 'REPLACE' ? putOptions(call) : copiedAttributes(read.info)),
      ...createOnly,
    }
    opts.contentLength = read.info.size
    info = await target.upload(key, read.body, opts)
  }
  await tagWritten(call, target, key, info.etag, tags)
  sendXml(call, copyObjectResultXml(unquoted(info.etag), info.lastModified))
}
