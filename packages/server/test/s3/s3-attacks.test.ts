import {
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { BucketObjects } from '../../src/domain/buckets/bucket-objects.ts'
import { type Harness, startHarness } from '../harness.ts'
import { createS3Key, s3ClientOf } from './s3-test-clients.ts'

// Attacks an outside reviewer made on the S3 endpoint, over HTTP, as they were made.

let harness: Harness
let admin: S3Client

const outcome = (run: Promise<unknown>) =>
  run.then(
    () => 'ok',
    (error: { name: string }) => error.name,
  )

beforeAll(async () => {
  harness = await startHarness('sqlite')
  admin = s3ClientOf(harness, await createS3Key(harness, [{ bucket: '*', permissions: ['admin'] }]))
})
afterAll(() => harness?.close())

describe('a presigned URL with x-amz-* headers it was not signed with', () => {
  it('is refused: no copy of another object, no metadata or tags the signer did not set', async () => {
    const signer = s3ClientOf(
      harness,
      await createS3Key(harness, [{ bucket: 'documents', prefix: 'a/', permissions: ['read', 'write'] }]),
    )
    await signer.send(new PutObjectCommand({ Bucket: 'documents', Key: 'a/private', Body: 'PRIVATE' }))
    // The signer hands out a URL to upload one file, and nothing else.
    const url = await getSignedUrl(signer, new PutObjectCommand({ Bucket: 'documents', Key: 'a/upload' }), {
      expiresIn: 600,
    })
    // Its holder turns the PUT into a copy of an object only the signer may read.
    const copy = await fetch(url, { method: 'PUT', headers: { 'x-amz-copy-source': '/documents/a/private' } })
    expect(copy.status).toBe(403)
    expect(await copy.text()).toContain('<HeadersNotSigned>x-amz-copy-source</HeadersNotSigned>')
    expect(await outcome(admin.send(new HeadObjectCommand({ Bucket: 'documents', Key: 'a/upload' })))).toBe(
      'NotFound',
    )
    // Or adds metadata and tags to its upload.
    const tagged = await fetch(url, {
      method: 'PUT',
      headers: { 'x-amz-meta-owner': 'mallory', 'x-amz-tagging': 'approved=yes' },
      body: 'bytes',
    })
    expect(tagged.status).toBe(403)
    expect(await outcome(admin.send(new HeadObjectCommand({ Bucket: 'documents', Key: 'a/upload' })))).toBe(
      'NotFound',
    )
    // The URL used as it was signed works, first and again (when its verification is reused).
    for (const body of ['first', 'second']) {
      const put = await fetch(url, { method: 'PUT', body })
      expect(put.status).toBe(200)
    }
    const got = await admin.send(new GetObjectCommand({ Bucket: 'documents', Key: 'a/upload' }))
    expect([await got.Body?.transformToString(), got.Metadata]).toEqual(['second', {}])
    const tags = await admin.send(new GetObjectTaggingCommand({ Bucket: 'documents', Key: 'a/upload' }))
    expect(tags.TagSet).toEqual([])
    // And again with the headers added, now that its verification is kept: still refused.
    const again = await fetch(url, {
      method: 'PUT',
      headers: { 'x-amz-copy-source': '/documents/a/private' },
    })
    expect(again.status).toBe(403)
  })

  it('is refused with an x-amz-signature look-alike added to it', async () => {
    await admin.send(new PutObjectCommand({ Bucket: 'documents', Key: 'a/read', Body: 'r' }))
    const url = await getSignedUrl(admin, new GetObjectCommand({ Bucket: 'documents', Key: 'a/read' }), {
      expiresIn: 600,
    })
    expect((await fetch(url)).status).toBe(200)
    // Only X-Amz-Signature is left out of what is signed; any other parameter is part of the URL.
    expect((await fetch(`${url}&x-amz-signature=1`)).status).toBe(403)
  })
})

describe('DeleteObjects', () => {
  it('checks the scope on the key it deletes: in NFC, not as sent', async () => {
    await admin.send(new PutObjectCommand({ Bucket: 'documents', Key: 'j\u00f3/file', Body: 'not yours' }))
    const jo = s3ClientOf(
      harness,
      await createS3Key(harness, [{ bucket: 'documents', prefix: 'jo*', permissions: ['read', 'delete'] }]),
    )
    // `jo` + U+0301 starts with `jo`, but is `jó` once normalised: outside the `jo*` scope.
    const result = await jo.send(
      new DeleteObjectsCommand({ Bucket: 'documents', Delete: { Objects: [{ Key: 'jo\u0301/file' }] } }),
    )
    expect(result.Deleted ?? []).toEqual([])
    expect(result.Errors?.map((e) => e.Code)).toEqual(['AccessDenied'])
    const kept = await admin.send(new GetObjectCommand({ Bucket: 'documents', Key: 'j\u00f3/file' }))
    expect(await kept.Body?.transformToString()).toBe('not yours')
    // A key within the scope, sent decomposed, is deleted.
    await admin.send(new PutObjectCommand({ Bucket: 'documents', Key: 'jose\u0301/x', Body: 'x' }))
    const own = await jo.send(
      new DeleteObjectsCommand({ Bucket: 'documents', Delete: { Objects: [{ Key: 'jose\u0301/x' }] } }),
    )
    expect(own.Deleted?.map((d) => d.Key)).toEqual(['jos\u00e9/x'])
  })
})

describe('ListObjects', () => {
  it('checks the scope on the prefix it lists: in NFC, not as sent', async () => {
    await admin.send(new PutObjectCommand({ Bucket: 'documents', Key: 'j\u00f3/listed', Body: 'not yours' }))
    const jo = s3ClientOf(
      harness,
      await createS3Key(harness, [{ bucket: 'documents', prefix: 'jo*', permissions: ['list'] }]),
    )
    for (const list of [
      new ListObjectsV2Command({ Bucket: 'documents', Prefix: 'jo\u0301' }),
      new ListObjectsCommand({ Bucket: 'documents', Prefix: 'jo\u0301' }),
      new ListObjectVersionsCommand({ Bucket: 'documents', Prefix: 'jo\u0301' }),
    ])
      expect(await outcome(jo.send(list as ListObjectsV2Command))).toBe('AccessDenied')
    const own = await jo.send(new ListObjectsV2Command({ Bucket: 'documents', Prefix: 'jo' }))
    expect(own.KeyCount).toBe(0)
  })
})

describe('a request Fastify cannot read', () => {
  it('is the client error it is, not an internal error logged as one', async () => {
    const before = harness.logs.length
    const response = await fetch(`${harness.s3Url}/documents/a/t`, {
      method: 'PUT',
      headers: { 'content-type': 'image/png\ttext/html' },
      body: 'x',
    })
    // Unsigned, it is refused as any anonymous write is.
    expect(response.status).toBe(403)
    expect(await response.text()).toContain('<Code>AccessDenied</Code>')
    // Signed, the type is refused as the API refuses it: the 400 of every type Coffer refuses.
    const signed = admin.send(
      new PutObjectCommand({
        Bucket: 'documents',
        Key: 'a/t',
        Body: 'x',
        ContentType: 'image/png\ttext/html',
      }),
    )
    expect(await outcome(signed)).toBe('InvalidArgument')
    const errors = harness.logs.slice(before).filter((line) => JSON.parse(line).level >= 50)
    expect(errors).toEqual([])
  })
})

describe('a failure of the service', () => {
  it('is logged with its cause, without the stack that names the install', async () => {
    await admin.send(new PutObjectCommand({ Bucket: 'documents', Key: 'a/fails', Body: 'x' }))
    const failing = vi
      .spyOn(BucketObjects.prototype, 'get')
      .mockRejectedValueOnce(new Error('the disk went away'))
    const before = harness.logs.length
    try {
      expect(await outcome(admin.send(new GetObjectCommand({ Bucket: 'documents', Key: 'a/fails' })))).toBe(
        'InternalError',
      )
    } finally {
      failing.mockRestore()
    }
    const lines = harness.logs.slice(before).filter((line) => JSON.parse(line).level >= 50)
    expect(lines.join('\n')).toContain('the disk went away')
    for (const line of lines) {
      expect(line).not.toContain(process.cwd())
      expect(line).not.toMatch(/\bat .*:\d+:\d+/)
    }
  })
})
