import {
  isStorageError,
  type NormalizedKey,
  normalizeKey,
  normalizeMediaType,
  type UploadOptions,
} from '@coffer/core'
import { authorizeAs } from '../domain/auth/authorize.ts'
import { single, slotOwner } from '../http/receive-object.ts'
import { clientGone } from '../http/serve-object.ts'
import { refuseAcl } from './canned-acl.ts'
import { copyObject } from './copy-object.ts'
import { getObject } from './get-object.ts'
import { isMultipartRequest, multipartOperation } from './multipart-operations.ts'
import { getObjectAttributes } from './object-attributes.ts'
import { storedChecksumOf } from './object-checksums.ts'
import { objectTagging, requestedTags, tagWritten } from './object-tagging.ts'
import type { S3Body } from './open-s3-body.ts'
import { signedBody } from './read-small-body.ts'
import { quotedEtag, refuseUnserved, type S3Call } from './s3-call.ts'
import { S3Error } from './s3-error.ts'
import { readS3Metadata } from './s3-metadata.ts'
import { createOnlyOf, refuseUnservedConditions, refuseUnservedObjectHeaders } from './unserved-headers.ts'
import { refuseOtherVersion } from './version-id.ts'

/** The upload options of a PutObject's (or CreateMultipartUpload's) headers; `aws-chunked` is how it travelled. */
export function putOptions(call: S3Call): Omit<UploadOptions, 'key'> {
  const opts: Omit<UploadOptions, 'key'> = { metadata: readS3Metadata(call.request.headers) }
  const type = single(call.request, 'content-type')
  if (type !== undefined && type !== '') opts.contentType = normalizeMediaType(type)
  for (const [header, option] of [
    ['cache-control', 'cacheControl'],
    ['content-disposition', 'contentDisposition'],
  ] as const) {
    const value = single(call.request, header)
    if (value !== undefined) opts[option] = value
  }
  const encoding = single(call.request, 'content-encoding')
    ?.split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part !== 'aws-chunked')
    .join(', ')
  if (encoding !== undefined && encoding !== '') opts.contentEncoding = encoding
  return opts
}

/** The answer to a write of a body (PutObject, UploadPart): its etag, and the checksum it declared. */
export function answerWrite(call: S3Call, etag: string, body: S3Body): void {
  call.reply.header('etag', quotedEtag(etag))
  if (body.checksum !== undefined) {
    const value = body.digests.get(body.checksum.algorithm)
    if (value !== undefined) call.reply.header(`x-amz-checksum-${body.checksum.algorithm}`, value)
  }
  call.reply.code(200).send()
}

async function putObject(call: S3Call, bucket: string, key: NormalizedKey): Promise<void> {
  refuseUnservedConditions(call, 'create-only')
  refuseAcl(call, 'object')
  const objects = await authorizeAs(call.ctx, call.request, call.principal, bucket, [key, 'write'])
  const opts = { ...putOptions(call), ...createOnlyOf(call) }
  const tags = requestedTags(call)
  const release = call.ctx.bodyLimits.acquire(slotOwner(objects, key))
  try {
    // Opened once a slot is held: a body opened and then refused a slot would have no reader.
    const body = signedBody(call)
    if (body.length !== undefined) opts.contentLength = body.length
    opts.signal = clientGone(call.request, call.reply)
    const info = await objects.upload(key, body.stream, opts, () => storedChecksumOf(body))
    await tagWritten(call, objects, key, info.etag, tags)
    answerWrite(call, info.etag, body)
  } finally {
    release()
  }
}

async function deleteObject(call: S3Call, bucket: string, key: NormalizedKey): Promise<void> {
  refuseOtherVersion(call)
  refuseUnservedConditions(call, 'none')
  const objects = await authorizeAs(call.ctx, call.request, call.principal, bucket, [key, 'delete'])
  try {
    await objects.delete(key)
  } catch (error) {
    // S3 answers 204 for a key that is not there: a delete is idempotent.
    if (!isStorageError(error, 'NotFound')) throw error
  }
  call.reply.code(204).send()
}

/** The operations on an object (`/<bucket>/<key>`), chosen by method and headers. */
export async function objectOperation(call: S3Call, bucket: string, rawKey: string): Promise<void> {
  refuseUnservedObjectHeaders(call)
  if (isMultipartRequest(call)) return multipartOperation(call, bucket, rawKey)
  // Object tagging is served; a bucket's (`/<bucket>?tagging`) is not, which refuseUnserved says.
  if (call.target.query.has('tagging')) return objectTagging(call, bucket, normalizeKey(rawKey))
  refuseUnserved(call)
  const key = normalizeKey(rawKey)
  switch (call.request.method) {
    case 'GET':
      if (call.target.query.has('attributes')) return getObjectAttributes(call, bucket, key)
      return getObject(call, bucket, key)
    case 'HEAD':
      return getObject(call, bucket, key)
    case 'PUT':
      if (call.request.headers['x-amz-copy-source'] !== undefined) return copyObject(call, bucket, key)
      return putObject(call, bucket, key)
    case 'DELETE':
      return deleteObject(call, bucket, key)
  }
  throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.')
}
