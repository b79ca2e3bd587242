import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from '../harness.ts'
import { createS3Key, sdkOutcome as outcome, s3ClientOf } from './s3-test-clients.ts'

let harness: Harness
let s3: S3Client

beforeAll(async () => {
  harness = await startHarness('sqlite')
  const key = await createS3Key(harness, [{ bucket: '*', permissions: ['admin'] }])
  s3 = s3ClientOf(harness, key)
  await s3.send(new CreateBucketCommand({ Bucket: 'conditions' }))
  await s3.send(new CreateBucketCommand({ Bucket: 'elsewhere' }))
})
afterAll(() => harness?.close())

const text = async (bucket: string, key: string) =>
  (await s3
    .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    .then((r) => r.Body?.transformToString())) ?? ''

describe('conditional writes through the S3 endpoint', () => {
  it('creates only with If-None-Match: *, on PutObject and on CopyObject of every kind', async () => {
    const put = (key: string, body: string) =>
      s3.send(new PutObjectCommand({ Bucket: 'conditions', Key: key, Body: body, IfNoneMatch: '*' }))
    expect(await outcome(put('first.txt', 'one'))).toBe('ok')
    expect(await outcome(put('first.txt', 'two'))).toBe('PreconditionFailed')
    expect(await text('conditions', 'first.txt')).toBe('one')
    await s3.send(new PutObjectCommand({ Bucket: 'conditions', Key: 'taken.txt', Body: 'kept' }))
    await s3.send(new PutObjectCommand({ Bucket: 'elsewhere', Key: 'taken.txt', Body: 'kept there' }))
    const copy = (bucket: string, key: string, directive: 'COPY' | 'REPLACE') =>
      s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: key,
          CopySource: 'conditions/first.txt',
          MetadataDirective: directive,
          IfNoneMatch: '*',
        }),
      )
    // Within the bucket (the backend's own copy), with new metadata, and across buckets.
    expect(await outcome(copy('conditions', 'taken.txt', 'COPY'))).toBe('PreconditionFailed')
    expect(await outcome(copy('conditions', 'taken.txt', 'REPLACE'))).toBe('PreconditionFailed')
    expect(await outcome(copy('elsewhere', 'taken.txt', 'COPY'))).toBe('PreconditionFailed')
    expect(await text('conditions', 'taken.txt')).toBe('kept')
    expect(await text('elsewhere', 'taken.txt')).toBe('kept there')
    expect(await outcome(copy('conditions', 'copied.txt', 'COPY'))).toBe('ok')
    expect(await outcome(copy('elsewhere', 'copied.txt', 'REPLACE'))).toBe('ok')
    expect(await text('elsewhere', 'copied.txt')).toBe('one')
  })

  it('refuses a write conditional on an ETag as not served, and writes nothing', async () => {
    const { ETag: etag = '' } = await s3.send(
      new PutObjectCommand({ Bucket: 'conditions', Key: 'etag.txt', Body: 'v1' }),
    )
    const before = harness.logs.length
    const put = (condition: { IfMatch?: string; IfNoneMatch?: string }) =>
      s3.send(new PutObjectCommand({ Bucket: 'conditions', Key: 'etag.txt', Body: 'v2', ...condition }))
    expect(await outcome(put({ IfMatch: etag }))).toBe('NotImplemented')
    expect(await outcome(put({ IfNoneMatch: etag }))).toBe('NotImplemented')
    const copy = s3.send(
      new CopyObjectCommand({
        Bucket: 'conditions',
        Key: 'etag.txt',
        CopySource: 'conditions/first.txt',
        IfMatch: etag,
      }),
    )
    expect(await outcome(copy)).toBe('NotImplemented')
    expect(await text('conditions', 'etag.txt')).toBe('v1')
    // A feature not served is a refusal, not a failure of the service: nothing at error level.
    const lines = harness.logs
      .slice(before)
      .map((line) => JSON.parse(line) as { level: number; status?: number })
    expect(lines.filter((line) => line.status === 501).length).toBeGreaterThanOrEqual(3)
    expect(lines.filter((line) => line.level >= 50)).toEqual([])
  })

  it('refuses a create-only multipart completion as not served, and the upload stays open', async () => {
    const key = 'multipart.bin'
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'conditions', Key: key }))
    const part = await s3.send(
      new UploadPartCommand({ Bucket: 'conditions', Key: key, UploadId, PartNumber: 1, Body: 'only part' }),
    )
    const complete = (condition: { IfNoneMatch?: string }) =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'conditions',
          Key: key,
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
          ...condition,
        }),
      )
    expect(await outcome(complete({ IfNoneMatch: '*' }))).toBe('NotImplemented')
    expect(await outcome(s3.send(new GetObjectCommand({ Bucket: 'conditions', Key: key })))).toBe('NoSuchKey')
    expect(await outcome(complete({}))).toBe('ok')
    expect(await text('conditions', key)).toBe('only part')
  })
})
