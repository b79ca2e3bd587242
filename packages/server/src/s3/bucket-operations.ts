import { StorageError } from '@coffer/core'
import { actorOf, authorizeAs } from '../domain/auth/authorize.ts'
import { requireServiceAdmin, seesBucket } from '../domain/auth/scopes.ts'
import { refuseAcl } from './canned-acl.ts'
import { deleteObjects } from './delete-objects.ts'
import { listMultipartUploads } from './list-multipart-uploads.ts'
import { listObjectVersions } from './list-object-versions.ts'
import { listObjects } from './list-objects.ts'
import { isPostUpload, postObject } from './post-object.ts'
import { readSmallBody } from './read-small-body.ts'
import { OWNER, refuseUnserved, type S3Call, sendXml, signedBy } from './s3-call.ts'
import { S3Error } from './s3-error.ts'
import { parseCreateBucketConfiguration } from './s3-requests.ts'
import { listBucketsXml, locationXml } from './s3-results.ts'
import { refuseUnservedBucketHeaders } from './unserved-headers.ts'

/** ListBuckets: the buckets the credential has any scope on. */
export async function listBuckets(call: S3Call): Promise<void> {
  const principal = signedBy(call)
  const buckets = (await call.ctx.buckets.list()).filter((bucket) => seesBucket(principal, bucket.name))
  sendXml(
    call,
    listBucketsXml(
      buckets.map((b) => ({ name: b.name, created: new Date(b.createdAt) })),
      OWNER,
    ),
  )
}

/**
 * HeadBucket and GetBucketLocation: a bucket exists for a caller with any scope on it (a key scoped
 * to a prefix may check its bucket), or for anyone when it is public; for others it is `AccessDenied`,
 * whether it exists or not.
 */
async function visibleBucket(call: S3Call, bucket: string): Promise<void> {
  const found = await call.ctx.buckets.recent(bucket)
  if (call.principal !== undefined && seesBucket(call.principal, bucket)) {
    if (found === undefined) throw new StorageError('NotFound', 'no such bucket')
    return
  }
  if (found?.public !== true) throw new S3Error('AccessDenied', 'Access Denied')
}

async function createBucket(call: S3Call, bucket: string): Promise<void> {
  const principal = signedBy(call)
  requireServiceAdmin(principal)
  refuseAcl(call, 'bucket')
  refuseUnservedBucketHeaders(call)
  const text = await readSmallBody(call)
  const location = parseCreateBucketConfiguration(text)
  if (location !== undefined && location !== call.region) {
    throw new S3Error('InvalidArgument', `this endpoint's buckets are all in ${call.region}`)
  }
  try {
    await call.ctx.buckets.create(bucket, { public: false })
  } catch (error) {
    if (error instanceof StorageError && error.code === 'InvalidArgument') {
      throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', { cause: error })
    }
    // Buckets are the service's, made by its admins: one that exists is "owned by you". In
    // us-east-1 S3 answers that 200 and changes nothing, elsewhere 409 (BucketAlreadyOwnedByYou).
    if (error instanceof StorageError && error.code === 'AlreadyExists' && call.region === 'us-east-1') {
      call.reply.header('location', `/${bucket}`).code(200).send()
      return
    }
    throw error
  }
  await call.ctx.catalog.audit(actorOf(call.request, principal), {
    action: 'bucket.create',
    bucket,
    detail: { via: 's3' },
  })
  call.reply.header('location', `/${bucket}`).code(200).send()
}

async function deleteBucket(call: S3Call, bucket: string): Promise<void> {
  const principal = signedBy(call)
  requireServiceAdmin(principal)
  const objects = await authorizeAs(call.ctx, call.request, principal, bucket, ['', 'admin'])
  if (!(await objects.isEmpty()))
    throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty')
  await call.ctx.buckets.delete(bucket)
  await call.ctx.catalog.audit(objects.actor, { action: 'bucket.delete', bucket, detail: { via: 's3' } })
  call.reply.code(204).send()
}

/** The operations on a bucket (`/<bucket>`), chosen by method and query. */
export async function bucketOperation(call: S3Call, bucket: string): Promise<void> {
  const query = call.target.query
  if (call.request.method === 'GET' && query.has('uploads')) return listMultipartUploads(call, bucket)
  refuseUnserved(call)
  switch (call.request.method) {
    case 'GET':
      if (query.has('location')) {
        await visibleBucket(call, bucket)
        return sendXml(call, locationXml(call.region))
      }
      if (query.has('versions')) return listObjectVersions(call, bucket)
      return listObjects(call, bucket)
    case 'HEAD':
      await visibleBucket(call, bucket)
      call.reply.header('x-amz-bucket-region', call.region).code(200).send()
      return
    case 'PUT':
      return createBucket(call, bucket)
    case 'DELETE':
      return deleteBucket(call, bucket)
    case 'POST':
      if (query.has('delete')) return deleteObjects(call, bucket)
      if (isPostUpload(call)) return postObject(call, bucket)
  }
  throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.')
}
