import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { Sha256 } from '@smithy/core/checksum'
import { SignatureV4 } from '@smithy/signature-v4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from '../harness.ts'
import { createS3Key, sdkOutcome as outcome, type S3Key } from './s3-test-clients.ts'

let harness: Harness
let admin: S3Key

const s3Key = (scopes: unknown[]) => createS3Key(harness, scopes)

const client = (
  key: S3Key,
  requestChecksumCalculation: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED' = 'WHEN_SUPPORTED',
) =>
  new S3Client({
    endpoint: harness.s3Url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    requestChecksumCalculation,
    maxAttempts: 1,
  })

const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 256))
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

beforeAll(async () => {
  harness = await startHarness('sqlite')
  admin = await s3Key([{ bucket: '*', permissions: ['admin'] }])
})
afterAll(() => harness?.close())

describe('the S3 endpoint with the AWS SDK', () => {
  it('lists, puts, gets, heads and deletes objects through the bucket layer', async () => {
    const s3 = client(admin)
    const buckets = await s3.send(new ListBucketsCommand({}))
    expect(buckets.Buckets?.map((b) => b.Name)).toContain('documents')
    await s3.send(new HeadBucketCommand({ Bucket: 'documents' }))
    expect(
      (await s3.send(new GetBucketLocationCommand({ Bucket: 'documents' }))).LocationConstraint,
    ).toBeUndefined()
    await s3.send(
      new PutObjectCommand({
        Bucket: 'documents',
        Key: 'p1/ü b.bin',
        Body: data,
        Metadata: { owner: 'zoe' },
        ContentType: 'application/pdf',
      }),
    )
    await s3.send(
      new PutObjectCommand({
        Bucket: 'documents',
        Key: 'p1/streamed',
        Body: Readable.from([data]),
        ContentLength: data.length,
      }),
    )
    await client(admin, 'WHEN_REQUIRED').send(
      new PutObjectCommand({
        Bucket: 'documents',
        Key: 'p1/plain',
        Body: Readable.from([data]),
        ContentLength: data.length,
      }),
    )
    for (const key of ['p1/ü b.bin', 'p1/streamed', 'p1/plain']) {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'documents', Key: key }))
      expect(sha256((await got.Body?.transformToByteArray()) ?? new Uint8Array()), key).toBe(sha256(data))
    }
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'documents', Key: 'p1/ü b.bin' }))
    expect(head).toMatchObject({
      ContentLength: data.length,
      ContentType: 'application/pdf',
      Metadata: { owner: 'zoe' },
    })
    const range = await s3.send(
      new GetObjectCommand({ Bucket: 'documents', Key: 'p1/plain', Range: 'bytes=10-19' }),
    )
    expect(Buffer.from((await range.Body?.transformToByteArray()) ?? []).equals(data.subarray(10, 20))).toBe(
      true,
    )
    const { ETag, LastModified } = head
    const later = new Date((LastModified?.getTime() ?? 0) + 60_000)
    const earlier = new Date((LastModified?.getTime() ?? 0) - 60_000)
    const conditional = (input: Partial<ConstructorParameters<typeof GetObjectCommand>[0]>) =>
      outcome(s3.send(new GetObjectCommand({ Bucket: 'documents', Key: 'p1/ü b.bin', ...input })))
    expect(await conditional({ IfMatch: ETag })).toBe('ok')
    expect(await conditional({ IfMatch: '"other"' })).toBe('PreconditionFailed')
    expect(await conditional({ IfUnmodifiedSince: earlier })).toBe('PreconditionFailed')
    expect(await conditional({ IfModifiedSince: later })).toBe('NotModified')
    expect(await conditional({ IfModifiedSince: earlier, IfUnmodifiedSince: later })).toBe('ok')
    expect(await conditional({ IfNoneMatch: ETag })).toBe('NotModified')
    // The REST API sees what the S3 endpoint wrote, and the audit trail names the S3 key.
    const rest = await harness.fetch('/v1/buckets/documents/objects/p1%2Fstreamed', { token: harness.admin })
    expect(rest.status).toBe(200)
    await s3.send(new DeleteObjectCommand({ Bucket: 'documents', Key: 'p1/plain' }))
    await s3.send(new DeleteObjectCommand({ Bucket: 'documents', Key: 'p1/never-there' }))
    expect(await outcome(s3.send(new GetObjectCommand({ Bucket: 'documents', Key: 'p1/plain' })))).toBe(
      'NoSuchKey',
    )
  })

  it("answers a body that fails its own checks as the client's error (4xx), and stores nothing", async () => {
    // Signed for one payload, sent with another: the hash is checked as the body streams, below the
    // bucket layer, which must not turn the client's fault into a 500 that SDKs retry.
    const signer = new SignatureV4({
      credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
      region: 'us-east-1',
      service: 's3',
      sha256: Sha256,
      uriEscapePath: false,
    })
    const url = new URL('/documents/forged/body.txt', harness.s3Url)
    const claimed = createHash('sha256').update('what was signed').digest('hex')
    const signed = await signer.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: url.pathname,
      query: {},
      headers: { host: url.host, 'x-amz-content-sha256': claimed },
    })
    const headers = Object.fromEntries(
      Object.entries(signed.headers).filter(([name]) => name !== 'host'),
    ) as Record<string, string>
    const response = await fetch(url, { method: 'PUT', headers, body: 'what was sent instead' })
    const text = await response.text()
    expect(response.status).toBe(400)
    expect(text).toContain('<Code>XAmzContentSHA256Mismatch</Code>')
    const head = await client(admin)
      .send(new HeadObjectCommand({ Bucket: 'documents', Key: 'forged/body.txt' }))
      .catch((error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode)
    expect(head).toBe(404)
  })

  it('lists with prefixes, delimiters, pages and start-after, in both versions', async () => {
    const s3 = client(admin)
    for (const key of ['l/a', 'l/b', 'l/c/1', 'l/c/2', 'l/d']) {
      await s3.send(new PutObjectCommand({ Bucket: 'prototypes', Key: key, Body: key }))
    }
    const top = await s3.send(
      new ListObjectsV2Command({ Bucket: 'prototypes', Prefix: 'l/', Delimiter: '/' }),
    )
    expect(top.Contents?.map((o) => o.Key)).toEqual(['l/a', 'l/b', 'l/d'])
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['l/c/'])
    const keys: string[] = []
    let ContinuationToken: string | undefined
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: 'prototypes', Prefix: 'l/', MaxKeys: 2, ContinuationToken }),
      )
      keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''))
      ContinuationToken = page.NextContinuationToken
    } while (ContinuationToken !== undefined)
    expect(keys).toEqual(['l/a', 'l/b', 'l/c/1', 'l/c/2', 'l/d'])
    const after = await s3.send(
      new ListObjectsV2Command({ Bucket: 'prototypes', Prefix: 'l/', StartAfter: 'l/c/1' }),
    )
    expect(after.Contents?.map((o) => o.Key)).toEqual(['l/c/2', 'l/d'])
    const v1 = await s3.send(
      new ListObjectsCommand({ Bucket: 'prototypes', Prefix: 'l/', Delimiter: '/', MaxKeys: 2 }),
    )
    expect(v1).toMatchObject({ IsTruncated: true, NextMarker: 'l/b' })
    const rest = await s3.send(
      new ListObjectsCommand({ Bucket: 'prototypes', Prefix: 'l/', Delimiter: '/', Marker: v1.NextMarker }),
    )
    expect([
      ...(rest.Contents ?? []).map((o) => o.Key),
      ...(rest.CommonPrefixes ?? []).map((p) => p.Prefix),
    ]).toEqual(['l/d', 'l/c/'])
  })

  it("keeps a scoped key to its scopes, and deletes in batches with each key's own answer", async () => {
    const scoped = await s3Key([
      { bucket: 'exports', prefix: 'mine', permissions: ['read', 'write', 'delete', 'list'] },
    ])
    const s3 = client(scoped)
    await s3.send(new PutObjectCommand({ Bucket: 'exports', Key: 'mine/a', Body: 'a' }))
    await client(admin).send(new PutObjectCommand({ Bucket: 'exports', Key: 'theirs/b', Body: 'b' }))
    expect(
      await outcome(s3.send(new PutObjectCommand({ Bucket: 'exports', Key: 'theirs/x', Body: 'x' }))),
    ).toBe('AccessDenied')
    expect(await outcome(s3.send(new GetObjectCommand({ Bucket: 'documents', Key: 'p1/streamed' })))).toBe(
      'AccessDenied',
    )
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['exports'])
    const result = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'exports',
        Delete: { Objects: [{ Key: 'mine/a' }, { Key: 'theirs/b' }] },
      }),
    )
    expect(result.Deleted?.map((d) => d.Key)).toEqual(['mine/a'])
    expect(result.Errors?.map((e) => [e.Key, e.Code])).toEqual([['theirs/b', 'AccessDenied']])
    const revoked = await harness.fetch(`/v1/keys/${scoped.id}`, { method: 'DELETE', token: harness.admin })
    expect(revoked.status).toBe(204)
    expect(await outcome(s3.send(new ListObjectsV2Command({ Bucket: 'exports', Prefix: 'mine/' })))).toBe(
      'InvalidAccessKeyId',
    )
  })

  it('creates, copies into and deletes buckets as an admin only', async () => {
    const s3 = client(admin)
    await s3.send(new CreateBucketCommand({ Bucket: 'copies' }))
    await s3.send(new PutObjectCommand({ Bucket: 'copies', Key: 'src', Body: data, Metadata: { a: '1' } }))
    // In us-east-1, as on S3, creating a bucket one has is answered 200 and changes nothing.
    expect(await outcome(s3.send(new CreateBucketCommand({ Bucket: 'copies' })))).toBe('ok')
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'copies', Key: 'src' }))).ContentLength).toBe(
      data.length,
    )
    await s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'same', CopySource: 'copies/src' }))
    await s3.send(new CopyObjectCommand({ Bucket: 'documents', Key: 'across', CopySource: '/copies/src' }))
    for (const [Bucket, Key] of [
      ['copies', 'same'],
      ['documents', 'across'],
    ] as const) {
      const got = await s3.send(new GetObjectCommand({ Bucket, Key }))
      expect(got.Metadata).toEqual({ a: '1' })
      expect(sha256((await got.Body?.transformToByteArray()) ?? new Uint8Array())).toBe(sha256(data))
    }
    expect(await outcome(s3.send(new DeleteBucketCommand({ Bucket: 'copies' })))).toBe('BucketNotEmpty')
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'copies',
        Delete: { Objects: [{ Key: 'src' }, { Key: 'same' }], Quiet: true },
      }),
    )
    const writer = await s3Key([{ bucket: '*', permissions: ['read', 'write'] }])
    expect(await outcome(client(writer).send(new DeleteBucketCommand({ Bucket: 'copies' })))).toBe(
      'AccessDenied',
    )
    await s3.send(new DeleteBucketCommand({ Bucket: 'copies' }))
    expect(await outcome(s3.send(new HeadBucketCommand({ Bucket: 'copies' })))).toBe('NotFound')
  })

  it("refuses what the bucket's policy and quota refuse, audits writes, and serves presigned URLs", async () => {
    const s3 = client(admin)
    const tooBig = Buffer.alloc(6 * 1024 * 1024)
    const refused = await outcome(
      s3.send(
        new PutObjectCommand({ Bucket: 'avatars', Key: 'big.png', Body: tooBig, ContentType: 'image/png' }),
      ),
    )
    expect(refused).toBe('EntityTooLarge')
    await s3.send(new PutObjectCommand({ Bucket: 'documents', Key: 'shared.txt', Body: 'shared' }))
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'documents', Key: 'shared.txt' }), {
      expiresIn: 60,
    })
    expect(await (await fetch(url)).text()).toBe('shared')
    const quota = await harness.fetch('/v1/buckets/prototypes', {
      method: 'PATCH',
      token: harness.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ quotaBytes: 1000 }),
    })
    expect(quota.status).toBe(200)
    const over = s3.send(
      new PutObjectCommand({ Bucket: 'prototypes', Key: 'q/big', Body: Buffer.alloc(2000) }),
    )
    expect(await outcome(over)).toBe('QuotaExceeded')
    expect(
      (await harness.fetch('/v1/buckets/prototypes/objects/q%2Fbig', { token: harness.admin })).status,
    ).toBe(404)
    // The audit trail names the API key behind the S3 credential.
    const audit = await harness.fetch('/v1/audit?bucket=documents&key=shared.txt', { token: harness.admin })
    const { events } = (await audit.json()) as { events: { actor: string; action: string }[] }
    expect(events[0]).toMatchObject({ actor: `key:${admin.id}`, action: 'object.put' })
    const anonymous = await fetch(`${harness.s3Url}/documents/shared.txt`)
    expect(anonymous.status).toBe(403)
    expect(anonymous.headers.get('x-amz-request-id')).toMatch(/^[0-9A-F]{16}$/)
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>')
  })
})
