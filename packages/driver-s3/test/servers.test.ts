import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import {
  createBucket,
  type S3TestServer,
  startCeph,
  startS3rver,
  testClient,
} from '@coffer/driver-s3/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Smoke tests of the test servers themselves: each starts, serves the core object API with the
// SDK settings the driver uses, tells the truth about signature checking, and stops cleanly.
describe.each([
  { name: 'ceph', start: startCeph },
  { name: 's3rver', start: startS3rver },
])('$name test server', ({ start }) => {
  let server: S3TestServer | undefined
  let client: S3Client
  const bucket = 'smoke'
  const body = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz'.repeat(100)) // 3600 bytes

  const started = () => {
    if (!server) throw new Error('the server did not start')
    return server
  }

  beforeAll(async () => {
    server = await start()
    client = testClient(server)
    await createBucket(server, bucket)
  })
  afterAll(async () => {
    client?.destroy()
    await server?.stop()
  })

  it('stores, reads a range of, lists and deletes an object', async () => {
    const Key = 'dir/hello.txt'
    const put = await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key,
        Body: body,
        ContentLength: body.length,
        ContentType: 'text/plain',
      }),
    )
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/)

    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key, Range: 'bytes=10-35' }))
    expect(got.$metadata.httpStatusCode).toBe(206)
    expect(got.ContentRange).toBe(`bytes 10-35/${body.length}`)
    expect(got.ContentLength).toBe(26)
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? [])).toEqual(body.subarray(10, 36))

    // A second object so that a listing of one key per page is cut short and continued (s3rver
    // needs the OpenSSL legacy provider for its continuation tokens).
    const Key2 = 'dir/more.txt'
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: Key2, Body: 'x', ContentLength: 1 }))
    const page1 = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'dir/', MaxKeys: 1 }))
    expect(page1.Contents?.map((o) => [o.Key, o.Size])).toEqual([[Key, body.length]])
    expect(page1.IsTruncated).toBe(true)
    const ContinuationToken = page1.NextContinuationToken
    const page2 = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'dir/', ContinuationToken }),
    )
    expect(page2.Contents?.map((o) => [o.Key, o.Size])).toEqual([[Key2, 1]])
    expect(page2.IsTruncated).toBe(false)

    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: Key2 }))
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key }))
    await expect(client.send(new HeadObjectCommand({ Bucket: bucket, Key }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    })
    const after = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
    expect(after.KeyCount).toBe(0)
  })

  it('refuses a wrong secret exactly when it claims to verify signatures', async () => {
    const s = started()
    const wrong = testClient(s, `${s.secretAccessKey}x`)
    try {
      const list = wrong.send(new ListObjectsV2Command({ Bucket: bucket }))
      if (s.verifiesSignatures) {
        await expect(list).rejects.toMatchObject({
          name: 'SignatureDoesNotMatch',
          $metadata: { httpStatusCode: 403 },
        })
      } else {
        await expect(list).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } })
      }
    } finally {
      wrong.destroy()
    }
  })

  it('stop() ends the server', async () => {
    const s = started()
    server = undefined
    await s.stop()
    await expect(fetch(s.endpoint, { signal: AbortSignal.timeout(2000) })).rejects.toThrow()
    await s.stop() // a second stop is harmless
  })
})
