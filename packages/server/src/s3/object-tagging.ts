import type { NormalizedKey } from '@coffer/core'
import { authorizeAs } from '../domain/auth/authorize.ts'
import type { BucketObjects } from '../domain/buckets/bucket-objects.ts'
import { type ObjectTag, objectTags, setObjectTags } from '../domain/buckets/object-tags.ts'
import { single } from '../http/receive-object.ts'
import { readSmallBody } from './read-small-body.ts'
import { type S3Call, sendXml } from './s3-call.ts'
import { S3Error } from './s3-error.ts'
import { parseTaggingHeader, parseTaggingXml, taggingXml } from './tag-set.ts'
import { requireCurrentVersion } from './version-id.ts'

/**
 * GetObjectTagging, PutObjectTagging and DeleteObjectTagging (`/<bucket>/<key>?tagging`): reading
 * tags needs the key's read permission, changing them its write permission. Tags live in the index
 * (see `objectTags`): a change keeps the object's bytes, ETag and Last-Modified.
 */
export async function objectTagging(call: S3Call, bucket: string, key: NormalizedKey): Promise<void> {
  requireCurrentVersion(call)
  const { ctx, request, principal } = call
  switch (request.method) {
    case 'GET': {
      const objects = await authorizeAs(ctx, request, principal, bucket, [key, 'read'])
      return sendXml(call, taggingXml(await objectTags(ctx.catalog, objects, key)))
    }
    case 'PUT': {
      const objects = await authorizeAs(ctx, request, principal, bucket, [key, 'write'])
      const tags = parseTaggingXml(await readSmallBody(call))
      await setObjectTags(ctx.catalog, objects, key, tags)
      call.reply.code(200).send()
      return
    }
    case 'DELETE': {
      const objects = await authorizeAs(ctx, request, principal, bucket, [key, 'write'])
      await setObjectTags(ctx.catalog, objects, key, [])
      call.reply.code(204).send()
      return
    }
  }
  throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.')
}

/** The tags a PutObject or CopyObject asks for in `x-amz-tagging`, checked before a byte is stored. */
export function requestedTags(call: S3Call): readonly ObjectTag[] | undefined {
  const header = single(call.request, 'x-amz-tagging')
  return header === undefined ? undefined : parseTaggingHeader(header)
}

/** Tags the version of `key` that a write just stored (its `etag`), when the write asked for tags. */
export async function tagWritten(
  call: S3Call,
  objects: BucketObjects,
  key: NormalizedKey,
  etag: string,
  tags: readonly ObjectTag[] | undefined,
): Promise<void> {
  if (tags !== undefined && tags.length > 0) await setObjectTags(call.ctx.catalog, objects, key, tags, etag)
}

/**
 * The tags a CopyObject gives its copy: the source's (`x-amz-tagging-directive: COPY`, the
 * default) or those of its `x-amz-tagging` header (`REPLACE`), read before the copy is written.
 */
export async function copiedTags(
  call: S3Call,
  source: BucketObjects,
  from: NormalizedKey,
): Promise<readonly ObjectTag[]> {
  const directive = single(call.request, 'x-amz-tagging-directive') ?? 'COPY'
  if (directive === 'REPLACE') return requestedTags(call) ?? []
  if (directive !== 'COPY')
    throw new S3Error('InvalidArgument', 'x-amz-tagging-directive must be COPY or REPLACE')
  return objectTags(call.ctx.catalog, source, from)
}
