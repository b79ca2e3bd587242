import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { type S3TestServer, startServer } from '@coffer/driver-s3/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from '../harness.ts'
import { multipartEtag, outcome, partsOf, s3Key, sha256 } from './s3-clients.ts'

const MiB = 1024 * 1024
const Bucket = 'documents'

/**
 * The S3 endpoint on a store whose own multipart is unusable (s3rver 3.7.1: no ListParts, no abort),
 * with the S3 driver's staged multipart: what clients see is what they see on Ceph.
 */
describe('the S3 endpoint on s3rver with staged multipart', () => {
  let server: S3TestServer | undefined
  let h: Harness
  let admin: S3Client
  let skipped: string | undefined

  beforeAll(async () => {
    const started = await startServer('s3rver')
    if (typeof started === 'string') {
      skipped = started
      return
    }
    server = started
    h = await startHarness('sqlite', { s3: server, s3Options: { multipart: 'staged' } })
    admin = (await s3Key(h, [{ bucket: '*', permissions: ['admin'] }])).client
  })
  afterAll(async () => {
    admin?.destroy()
    await h?.close()
    await server?.stop()
  })

  it('reads each part of a lib-storage upload, with S3 etag, before and after reconcile', async ({
    skip,
  }) => {
    if (skipped) return skip(skipped)
    const Key = 'staged/three.bin'
    const data = randomBytes(10 * MiB + 1)
    const parts = partsOf(data, 5 * MiB)
    const upload = new Upload({ client: admin, params: { Bucket, Key, Body: Readable.from([data]) } })
    await upload.done()
    const head = await admin.send(new HeadObjectCommand({ Bucket, Key }))
    expect([head.ETag, head.ContentLength]).toEqual([multipartEtag(parts), data.length])
    const readPart = async () => {
      const got = await admin.send(new GetObjectCommand({ Bucket, Key, PartNumber: 2 }))
      expect([got.$metadata.httpStatusCode, got.PartsCount]).toEqual([206, 3])
      return sha256(await (got.Body?.transformToByteArray() ?? new Uint8Array()))
    }
    expect(await readPart()).toBe(sha256(parts[1] as Buffer))
    // The store lists the md5 of the whole body; reconcile sees that the object is what its row says.
    const response = await h.fetch('/v1/reconcile', json({ bucket: Bucket }, { token: h.admin }))
    expect(await response.json()).toMatchObject({ added: 0, removed: 0, updated: 0 })
    expect(await readPart()).toBe(sha256(parts[1] as Buffer))
  })

  it('copies parts from ranges of an object (UploadPartCopy) and joins them', async ({ skip }) => {
    if (skipped) return skip(skipped)
    const source = randomBytes(5 * MiB + 10)
    await admin.send(new PutObjectCommand({ Bucket, Key: 'staged/source.bin', Body: source }))
    const Key = 'staged/copied.bin'
    const { UploadId } = await admin.send(new CreateMultipartUploadCommand({ Bucket, Key }))
    const copy = (PartNumber: number, CopySourceRange?: string) =>
      admin.send(
        new UploadPartCopyCommand({
          Bucket,
          Key,
          UploadId,
          PartNumber,
          CopySource: `${Bucket}/staged/source.bin`,
          ...(CopySourceRange === undefined ? {} : { CopySourceRange }),
        }),
      )
    const one = await copy(1)
    const two = await copy(2, 'bytes=0-9')
    const Parts = [one, two].map((p, i) => ({ PartNumber: i + 1, ETag: p.CopyPartResult?.ETag }))
    await admin.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }),
    )
    const got = await admin.send(new GetObjectCommand({ Bucket, Key }))
    const bytes = await (got.Body?.transformToByteArray() ?? new Uint8Array())
    expect(sha256(bytes)).toBe(sha256(Buffer.concat([source, source.subarray(0, 10)])))
    expect(got.ETag).toBe(multipartEtag([source, source.subarray(0, 10)]))
  })

  it('lists the parts of an upload and aborts it', async ({ skip }) => {
    if (skipped) return skip(skipped)
    const Key = 'staged/aborted.bin'
    const { UploadId } = await admin.send(new CreateMultipartUploadCommand({ Bucket, Key }))
    const Body = randomBytes(1000)
    const part = await admin.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body }))
    const listed = await admin.send(new ListPartsCommand({ Bucket, Key, UploadId }))
    expect(listed.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size])).toEqual([[1, part.ETag, 1000]])
    await admin.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }))
    expect(await outcome(admin.send(new ListPartsCommand({ Bucket, Key, UploadId })))).toBe('NoSuchUpload')
  })
})
