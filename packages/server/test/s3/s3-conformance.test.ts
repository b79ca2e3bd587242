// Behaviours Ceph's s3-tests suite checks (docs/s3-conformance.md), in our own words.

import { Readable } from 'node:stream'
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { createPresignedPost } from '@aws-sdk/s3-presigned-post'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import type { FinalizeRequestMiddleware, HttpRequest, MetadataBearer } from '@smithy/types'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from '../harness.ts'
import { createS3Key, type S3Key } from './s3-test-clients.ts'

let harness: Harness
let admin: S3Key

const client = (config: Partial<S3ClientConfig> = {}) =>
  new S3Client({
    endpoint: harness.s3Url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
    maxAttempts: 1,
    ...config,
  })

/** A client that sets `headers` on every request: before signing, or after it (`signed: false`). */
function clientWithHeaders(
  headers: Record<string, string>,
  signed = true,
  config: Partial<S3ClientConfig> = {},
): S3Client {
  const s3 = client(config)
  const set: FinalizeRequestMiddleware<object, MetadataBearer> = (next) => (args) => {
    Object.assign((args.request as HttpRequest).headers, headers)
    return next(args)
  }
  // The signature covers what is set in the build step; finalizeRequest runs after signing.
  if (signed) s3.middlewareStack.add(set, { step: 'build' })
  else s3.middlewareStack.add(set, { step: 'finalizeRequest', priority: 'low' })
  return s3
}

/** What a call that fails with S3's `code` and HTTP `status` rejects with. */
const failure = (code: string, status: number) => ({ name: code, $metadata: { httpStatusCode: status } })

beforeAll(async () => {
  // A body that stalls fails soon: what a refused request leaves behind shows within a test.
  harness = await startHarness('sqlite', { bodyIdleTimeout: 300 })
  admin = await createS3Key(harness, [{ bucket: '*', permissions: ['admin'] }])
})
afterAll(() => harness?.close())

describe('requests S3 accepts as they come', () => {
  it('drops the body of a PutObject refused for its headers, leaving nothing to fail later', async () => {
    // A body that never ends: the request is answered (InvalidDigest) and closed while it comes.
    const body = new Readable({ read() {} })
    body.push('ba')
    const s3 = clientWithHeaders({ 'content-md5': 'YWJyYWNhZGFicmE=' }, true, {
      requestChecksumCalculation: 'WHEN_REQUIRED',
    })
    const put = new PutObjectCommand({ Bucket: 'documents', Key: 'md5/bad', Body: body, ContentLength: 3 })
    await expect(s3.send(put)).rejects.toMatchObject(failure('InvalidDigest', 400))
    // Before, the abandoned body failed on its own once the connection closed: an uncaught error.
    await new Promise((resolve) => setTimeout(resolve, 300))
    body.destroy()
  })

  it('ignores an Expect other than 100-continue, where Node would answer 417', async () => {
    for (const expect_ of ['200', '']) {
      const s3 = clientWithHeaders({ expect: expect_ }, false)
      await s3.send(new PutObjectCommand({ Bucket: 'documents', Key: 'expect/a.txt', Body: 'bar' }))
    }
  })

  it('stores an object sent with an empty Content-Type instead of failing with 500', async () => {
    const s3 = clientWithHeaders({ 'content-type': '' })
    await s3.send(new PutObjectCommand({ Bucket: 'documents', Key: 'types/empty', Body: 'bar' }))
    const got = await client().send(new GetObjectCommand({ Bucket: 'documents', Key: 'types/empty' }))
    expect(await got.Body?.transformToString()).toBe('bar')
  })
})

describe('errors S3 names', () => {
  it('answers NoSuchBucket, not NoSuchKey, for an object in a bucket that is not there', async () => {
    const s3 = client()
    const missing = { Bucket: 'no-such-bucket-here', Key: 'foo' }
    await expect(s3.send(new PutObjectCommand({ ...missing, Body: 'bar' }))).rejects.toMatchObject(
      failure('NoSuchBucket', 404),
    )
    await expect(s3.send(new GetObjectCommand(missing))).rejects.toMatchObject(failure('NoSuchBucket', 404))
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'documents', Key: 'no/such/key' })),
    ).rejects.toMatchObject(failure('NoSuchKey', 404))
  })
})

describe('listings', () => {
  it('lists nothing under a prefix no key can have, where it failed with InvalidArgument', async () => {
    const s3 = client()
    await s3.send(new PutObjectCommand({ Bucket: 'documents', Key: 'odd/prefix', Body: 'x' }))
    for (const Prefix of ['\n', '/', 'odd//']) {
      const v2 = await s3.send(new ListObjectsV2Command({ Bucket: 'documents', Prefix, Delimiter: '/' }))
      expect([v2.KeyCount, v2.Contents, v2.CommonPrefixes]).toEqual([0, undefined, undefined])
      const v1 = await s3.send(new ListObjectsCommand({ Bucket: 'documents', Prefix }))
      expect([v1.Contents, v1.IsTruncated]).toEqual([undefined, false])
    }
  })
})

describe('CopyObject', () => {
  it('refuses to copy an object onto itself unchanged, and copies it with new metadata', async () => {
    const s3 = client()
    const self = { Bucket: 'documents', Key: 'copy/self' }
    await s3.send(new PutObjectCommand({ ...self, Body: 'foo' }))
    const onto = { ...self, CopySource: 'documents/copy/self' }
    await expect(s3.send(new CopyObjectCommand(onto))).rejects.toMatchObject(failure('InvalidRequest', 400))
    await s3.send(new CopyObjectCommand({ ...onto, Metadata: { foo: 'bar' }, MetadataDirective: 'REPLACE' }))
    expect((await s3.send(new HeadObjectCommand(self))).Metadata).toEqual({ foo: 'bar' })
  })

  it("keeps the source's headers across buckets, and takes the request's with REPLACE", async () => {
    const s3 = client()
    await s3.send(new CreateBucketCommand({ Bucket: 'copy-target' }))
    const headers = {
      CacheControl: 'public, max-age=60',
      ContentDisposition: 'attachment; filename="a.txt"',
      ContentEncoding: 'gzip',
      ContentType: 'text/plain',
    }
    await s3.send(new PutObjectCommand({ Bucket: 'documents', Key: 'copy/src', Body: 'foo', ...headers }))
    const copy = { Bucket: 'copy-target', CopySource: 'documents/copy/src' }
    await s3.send(new CopyObjectCommand({ ...copy, Key: 'kept' }))
    expect(await s3.send(new HeadObjectCommand({ Bucket: 'copy-target', Key: 'kept' }))).toMatchObject(
      headers,
    )
    await s3.send(
      new CopyObjectCommand({
        ...copy,
        Key: 'replaced',
        MetadataDirective: 'REPLACE',
        CacheControl: 'no-cache',
      }),
    )
    const replaced = await s3.send(new HeadObjectCommand({ Bucket: 'copy-target', Key: 'replaced' }))
    expect([replaced.CacheControl, replaced.ContentEncoding]).toEqual(['no-cache', undefined])
  })
})

describe('conditional writes', () => {
  it('refuses a PutObject conditional on an etag (NotImplemented) instead of ignoring it', async () => {
    const key = { Bucket: 'documents', Key: 'conditional/put' }
    const { ETag } = await client().send(new PutObjectCommand({ ...key, Body: 'bar' }))
    for (const headers of [
      { 'if-match': '"0123"' },
      { 'if-match': ETag ?? '' },
      { 'if-none-match': '"0123"' },
    ]) {
      await expect(
        clientWithHeaders(headers).send(new PutObjectCommand({ ...key, Body: 'zar' })),
      ).rejects.toMatchObject(failure('NotImplemented', 501))
    }
    const got = await client().send(new GetObjectCommand(key))
    expect(await got.Body?.transformToString()).toBe('bar')
    await expect(
      client().send(new PutObjectCommand({ ...key, Body: 'zar', IfNoneMatch: '*' })),
    ).rejects.toMatchObject(failure('PreconditionFailed', 412))
  })

  it('refuses a conditional delete or completion, and keeps a create-only copy create-only', async () => {
    const key = { Bucket: 'documents', Key: 'conditional/delete' }
    await client().send(new PutObjectCommand({ ...key, Body: 'bar' }))
    await expect(
      clientWithHeaders({ 'if-match': '"0123"' }).send(new DeleteObjectCommand(key)),
    ).rejects.toMatchObject(failure('NotImplemented', 501))
    const s3 = client()
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand(key))
    const part = await s3.send(new UploadPartCommand({ ...key, UploadId, PartNumber: 1, Body: 'zar' }))
    const complete = { ...key, UploadId, MultipartUpload: { Parts: [{ ETag: part.ETag, PartNumber: 1 }] } }
    await expect(
      clientWithHeaders({ 'if-none-match': '*' }).send(new CompleteMultipartUploadCommand(complete)),
    ).rejects.toMatchObject(failure('NotImplemented', 501))
    await s3.send(new PutObjectCommand({ Bucket: 'documents', Key: 'conditional/source', Body: 'new' }))
    await expect(
      clientWithHeaders({ 'if-none-match': '*' }).send(
        new CopyObjectCommand({ ...key, CopySource: 'documents/conditional/source' }),
      ),
    ).rejects.toMatchObject(failure('PreconditionFailed', 412))
    const got = await s3.send(new GetObjectCommand(key))
    expect(await got.Body?.transformToString()).toBe('bar')
  })
})

describe('multipart uploads', () => {
  it('answers a retried CompleteMultipartUpload as the completion it repeats', async () => {
    const s3 = client()
    const key = { Bucket: 'documents', Key: 'multipart/retried' }
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand(key))
    const part = await s3.send(new UploadPartCommand({ ...key, UploadId, PartNumber: 1, Body: 'x' }))
    const complete = { ...key, UploadId, MultipartUpload: { Parts: [{ ETag: part.ETag, PartNumber: 1 }] } }
    const first = await s3.send(new CompleteMultipartUploadCommand(complete))
    const again = await s3.send(new CompleteMultipartUploadCommand(complete))
    expect(again.ETag).toBe(first.ETag)
    const other = {
      ...complete,
      MultipartUpload: { Parts: [{ ETag: '"0123456789abcdef0123456789abcdef"', PartNumber: 1 }] },
    }
    await expect(s3.send(new CompleteMultipartUploadCommand(other))).rejects.toMatchObject(
      failure('NoSuchUpload', 404),
    )
  })
})

describe('ACLs, which Coffer does not have', () => {
  it('refuses a write that asks for public access by ACL instead of storing it private', async () => {
    const s3 = client()
    const key = { Bucket: 'documents', Key: 'acl/object' }
    const notSupported = failure('AccessControlListNotSupported', 400)
    await expect(
      s3.send(new PutObjectCommand({ ...key, Body: 'x', ACL: 'public-read' })),
    ).rejects.toMatchObject(notSupported)
    await expect(
      s3.send(
        new PutObjectCommand({
          ...key,
          Body: 'x',
          GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"',
        }),
      ),
    ).rejects.toMatchObject(notSupported)
    await expect(
      s3.send(new CreateMultipartUploadCommand({ ...key, ACL: 'public-read-write' })),
    ).rejects.toMatchObject(notSupported)
    for (const ACL of ['private', 'bucket-owner-full-control'] as const)
      await s3.send(new PutObjectCommand({ ...key, Body: 'x', ACL }))
    await expect(
      s3.send(
        new CopyObjectCommand({
          ...key,
          Key: 'acl/copy',
          CopySource: 'documents/acl/object',
          ACL: 'public-read',
        }),
      ),
    ).rejects.toMatchObject(notSupported)
    await expect(
      s3.send(new CreateBucketCommand({ Bucket: 'acl-public', ACL: 'public-read' })),
    ).rejects.toMatchObject(failure('InvalidBucketAclWithObjectOwnership', 400))
    await s3.send(new CreateBucketCommand({ Bucket: 'acl-private', ACL: 'private' }))
  })
})

describe('POST uploads', () => {
  it('answers a signed form without its signature as malformed (400), one without a policy 403', async () => {
    const { url, fields } = await createPresignedPost(client(), { Bucket: 'documents', Key: 'post/unsigned' })
    const post = async (drop: string) => {
      const form = new FormData()
      for (const [name, value] of Object.entries(fields)) if (name !== drop) form.append(name, value)
      form.append('file', new Blob(['bar']), 'bar.txt')
      const response = await fetch(url, { method: 'POST', body: form })
      return `${/<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1]} ${response.status}`
    }
    expect(await post('X-Amz-Signature')).toBe('InvalidArgument 400')
    expect(await post('Policy')).toBe('AccessDenied 403')
  })
})

describe('versions, which Coffer does not keep', () => {
  it('deletes no object for a delete of a version it does not have, one by one or in a batch', async () => {
    const s3 = client()
    const keep = { Bucket: 'documents', Key: 'versions/keep' }
    await s3.send(new PutObjectCommand({ ...keep, Body: 'kept' }))
    await expect(s3.send(new DeleteObjectCommand({ ...keep, VersionId: 'abc' }))).rejects.toMatchObject(
      failure('InvalidArgument', 400),
    )
    const batch = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'documents',
        Delete: { Objects: [{ Key: 'versions/keep', VersionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY' }] },
      }),
    )
    expect(batch.Errors?.map((e) => [e.Key, e.Code])).toEqual([['versions/keep', 'InvalidArgument']])
    const got = await s3.send(new GetObjectCommand(keep))
    expect(await got.Body?.transformToString()).toBe('kept')
    await s3.send(new DeleteObjectCommand({ ...keep, VersionId: 'null' }))
    await expect(s3.send(new GetObjectCommand(keep))).rejects.toMatchObject(failure('NoSuchKey', 404))
  })
})

describe('encryption and Object Lock, which Coffer does not do', () => {
  it('refuses writes that ask for them instead of storing the object plain and unlocked', async () => {
    const s3 = client()
    const key = { Bucket: 'documents', Key: 'unserved/object', Body: 'x' }
    const customerKey = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: 'k'.repeat(32) }
    for (const asked of [
      { ServerSideEncryption: 'AES256' as const },
      { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: 'key-1' },
      customerKey,
    ])
      await expect(s3.send(new PutObjectCommand({ ...key, ...asked }))).rejects.toMatchObject(
        failure('NotImplemented', 501),
      )
    const until = new Date(Date.now() + 86_400_000)
    await expect(
      s3.send(
        new PutObjectCommand({ ...key, ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: until }),
      ),
    ).rejects.toMatchObject(failure('InvalidRequest', 400))
    await expect(
      s3.send(new CreateBucketCommand({ Bucket: 'locked', ObjectLockEnabledForBucket: true })),
    ).rejects.toMatchObject(failure('NotImplemented', 501))
    await s3.send(new PutObjectCommand(key))
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'documents', Key: 'unserved/object', ...customerKey })),
    ).rejects.toMatchObject(failure('InvalidRequest', 400))
    // Refusals, not failures of the service: none is logged as an error.
    expect(harness.logs.filter((line) => line.includes('s3 request failed'))).toEqual([])
  })
})

describe('presigned URLs', () => {
  it('answers X-Amz-Expires=0 as expired (403), and one over a week as malformed (400)', async () => {
    const key = { Bucket: 'documents', Key: 'presigned/zero' }
    await client().send(new PutObjectCommand({ ...key, Body: 'x' }))
    const url = await getSignedUrl(client(), new GetObjectCommand(key), { expiresIn: 60 })
    const answer = async (expires: string) => {
      const response = await fetch(url.replace('X-Amz-Expires=60', `X-Amz-Expires=${expires}`))
      return `${/<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1]} ${response.status}`
    }
    // The signature no longer matches either URL: what is refused first is their expiry.
    expect(await answer('0')).toBe('AccessDenied 403')
    expect(await answer('604801')).toBe('AuthorizationQueryParametersError 400')
  })
})

describe('a bucket created again, outside us-east-1', () => {
  it('is 409 BucketAlreadyOwnedByYou, and keeps what it holds', async () => {
    const elsewhere = await startHarness('sqlite', { s3Region: 'eu-west-1' })
    try {
      const key = await createS3Key(elsewhere, [{ bucket: '*', permissions: ['admin'] }])
      const s3 = new S3Client({
        endpoint: elsewhere.s3Url,
        region: 'eu-west-1',
        forcePathStyle: true,
        credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
        maxAttempts: 1,
      })
      const create = () =>
        s3.send(
          new CreateBucketCommand({
            Bucket: 'regional',
            CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
          }),
        )
      await create()
      await s3.send(new PutObjectCommand({ Bucket: 'regional', Key: 'kept', Body: 'x' }))
      await expect(create()).rejects.toMatchObject(failure('BucketAlreadyOwnedByYou', 409))
      expect((await s3.send(new HeadObjectCommand({ Bucket: 'regional', Key: 'kept' }))).ContentLength).toBe(
        1,
      )
    } finally {
      await elsewhere.close()
    }
  })
})
