import { checkPartNumber, type NormalizedKey, normalizeKey } from '@coffer/core'
import { authorizeAs } from '../domain/auth/authorize.ts'
import type { BucketObjects } from '../domain/buckets/bucket-objects.ts'
import { MultipartUploads } from '../domain/uploads/multipart-uploads.ts'
import { slotOwner } from '../http/receive-object.ts'
import { clientGone } from '../http/serve-object.ts'
import { refuseAcl } from './canned-acl.ts'
import { completeUpload } from './multipart-complete.ts'
import { copyPart } from './multipart-copy-part.ts'
import { initiateXml, listPartsXml } from './multipart-xml.ts'
import { checksumHeaders, startedChecksum, uploadChecksum } from './object-checksums.ts'
import { answerWrite, putOptions } from './object-operations.ts'
import { requestedTags } from './object-tagging.ts'
import { signedBody } from './read-small-body.ts'
import { type S3Call, sendXml, signedBy } from './s3-call.ts'
import { S3Error } from './s3-error.ts'

/** The bucket's objects for a multipart step on `key`, which needs write access to it, and its uploads. */
export async function uploadsFor(
  call: S3Call,
  bucket: string,
  key: NormalizedKey,
): Promise<{ objects: BucketObjects; uploads: MultipartUploads }> {
  const principal = signedBy(call)
  const objects = await authorizeAs(call.ctx, call.request, principal, bucket, [key, 'write'])
  const owner = `${principal.kind}:${principal.id}`
  return { objects, uploads: new MultipartUploads(call.ctx, objects, owner) }
}

function uploadIdOf(call: S3Call): string {
  const id = call.target.query.get('uploadId')
  if (id === undefined || id === '')
    throw new S3Error('NoSuchUpload', 'The specified multipart upload does not exist.')
  return id
}

function partNumberOf(call: S3Call): number {
  const value = call.target.query.get('partNumber') ?? ''
  const number = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN
  try {
    checkPartNumber(number)
  } catch {
    throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive')
  }
  return number
}

async function createUpload(call: S3Call, bucket: string, key: NormalizedKey): Promise<void> {
  refuseAcl(call, 'object')
  const { uploads } = await uploadsFor(call, bucket, key)
  const { contentLength: _length, ...opts } = putOptions(call)
  // Both checked now, so that a completion cannot fail on what the start asked for.
  const checksum = uploadChecksum(call)
  const tags = requestedTags(call)
  const upload = await uploads.create(key, opts, {
    ...(checksum === undefined ? {} : { checksum }),
    ...(tags === undefined ? {} : { tags }),
  })
  if (checksum !== undefined) call.reply.headers(checksumHeaders(checksum))
  sendXml(call, initiateXml(bucket, key, upload.uploadId))
}

async function uploadPart(call: S3Call, bucket: string, key: NormalizedKey): Promise<void> {
  const uploadId = uploadIdOf(call)
  const partNumber = partNumberOf(call)
  const { objects, uploads } = await uploadsFor(call, bucket, key)
  if (call.request.headers['x-amz-copy-source'] !== undefined) {
    return copyPart(call, { uploads, key, uploadId, partNumber })
  }
  const checksum = startedChecksum((await uploads.get(key, uploadId)).checksum)
  // A part of an upload started with a checksum has one of that algorithm: declared, else computed.
  const body = signedBody(call, checksum === undefined ? {} : { compute: [checksum.algorithm] })
  if (
    checksum !== undefined &&
    body.checksum !== undefined &&
    body.checksum.algorithm !== checksum.algorithm
  ) {
    body.stream.destroy()
    throw new S3Error(
      'InvalidRequest',
      `Checksum Type mismatch occurred, expected checksum Type: ${checksum.algorithm}, actual checksum Type: ${body.checksum.algorithm}`,
    )
  }
  if (body.length === undefined) {
    // As on S3: a part's length is known before it is sent (the staging limits are checked on it).
    body.stream.destroy()
    throw new S3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.')
  }
  let release: () => void
  try {
    release = call.ctx.bodyLimits.acquire(slotOwner(objects, key))
  } catch (error) {
    body.stream.destroy()
    throw error
  }
  try {
    const signal = clientGone(call.request, call.reply)
    const opts = { signal, contentLength: body.length }
    const part = await uploads.uploadPart(key, uploadId, partNumber, body.stream, opts)
    const value = checksum === undefined ? undefined : body.digests.get(checksum.algorithm)
    if (checksum !== undefined && value !== undefined) {
      // Kept with the part's etag: a part sent again under this number replaces both.
      await uploads.recordPart(uploadId, partNumber, { etag: part.etag, checksum: value })
      // As S3: the part's checksum of the upload's algorithm, also when the client sent none.
      call.reply.header(`x-amz-checksum-${checksum.algorithm}`, value)
    }
    answerWrite(call, part.etag, body)
  } finally {
    body.stream.destroy()
    release()
  }
}

async function abortUpload(call: S3Call, bucket: string, key: NormalizedKey): Promise<void> {
  const uploadId = uploadIdOf(call)
  const { uploads } = await uploadsFor(call, bucket, key)
  await uploads.abort(key, uploadId)
  call.reply.code(204).send()
}

function boundedInteger(call: S3Call, name: string, fallback: number, max: number): number {
  const value = call.target.query.get(name)
  if (value === undefined || value === '') return fallback
  if (!/^\d{1,10}$/.test(value)) throw new S3Error('InvalidArgument', `${name} must be a whole number`)
  return Math.min(Number(value), max)
}

async function listParts(call: S3Call, bucket: string, key: NormalizedKey): Promise<void> {
  const uploadId = uploadIdOf(call)
  const maxParts = boundedInteger(call, 'max-parts', 1000, 1000)
  const marker = boundedInteger(call, 'part-number-marker', 0, 10_000)
  const { uploads } = await uploadsFor(call, bucket, key)
  const { upload, parts } = await uploads.listParts(key, uploadId)
  const after = parts.filter((part) => part.partNumber > marker)
  const page = after.slice(0, maxParts)
  const next = after.length > page.length ? page.at(-1)?.partNumber : undefined
  sendXml(
    call,
    listPartsXml({
      bucket,
      key,
      uploadId,
      initiator: upload.owner,
      initiated: upload.createdAt,
      marker,
      maxParts,
      parts: page,
      next,
      ...(upload.checksum === undefined ? {} : { checksum: upload.checksum }),
    }),
  )
}

/** Whether a request on an object is one of the multipart operations. */
export function isMultipartRequest(call: S3Call): boolean {
  const query = call.target.query
  return query.has('uploadId') || (call.request.method === 'POST' && query.has('uploads'))
}

/**
 * The multipart operations on an object: CreateMultipartUpload (`POST ?uploads`), UploadPart and
 * UploadPartCopy (`PUT ?partNumber&uploadId`), CompleteMultipartUpload (`POST ?uploadId`),
 * AbortMultipartUpload (`DELETE ?uploadId`) and ListParts (`GET ?uploadId`). Every step needs write
 * access to the key, so a credential scoped to a prefix can neither start, feed, complete, abort nor
 * inspect an upload outside it.
 */
export async function multipartOperation(call: S3Call, bucket: string, rawKey: string): Promise<void> {
  const key = normalizeKey(rawKey)
  const query = call.target.query
  switch (call.request.method) {
    case 'POST':
      return query.has('uploadId')
        ? completeUpload(call, bucket, key, uploadIdOf(call))
        : createUpload(call, bucket, key)
    case 'PUT':
      return uploadPart(call, bucket, key)
    case 'DELETE':
      return abortUpload(call, bucket, key)
    case 'GET':
      return listParts(call, bucket, key)
  }
  throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.')
}
