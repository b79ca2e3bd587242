import { createHash, randomBytes } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { crc32c } from '@aws-crypto/crc32c'
import {
  type ChecksumAlgorithm,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { Crc64Nvme } from '@aws-sdk/crc64-nvme'
import { describe, expect, it } from 'vitest'
import { testStorages, VARIANTS } from '../harness.ts'
import { outcome, partsOf, restSha, sha256 } from './s3-clients.ts'
import { multipartContext } from './s3-multipart-harness.ts'

const MiB = 1024 * 1024
const uint32 = (value: number) => {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(value >>> 0)
  return bytes
}
const crc64nvme = async (bytes: Uint8Array) => {
  const hash = new Crc64Nvme()
  hash.update(bytes)
  return Buffer.from(await hash.digest())
}

/** Each algorithm's raw checksum of some bytes, computed here, apart from the endpoint's code. */
const RAW: Record<string, (bytes: Uint8Array) => Promise<Buffer>> = {
  CRC32: async (bytes) => uint32(crc32(bytes)),
  CRC32C: async (bytes) => uint32(crc32c(bytes)),
  CRC64NVME: crc64nvme,
  SHA1: async (bytes) => createHash('sha1').update(bytes).digest(),
  SHA256: async (bytes) => createHash('sha256').update(bytes).digest(),
}
const b64 = async (algorithm: string, bytes: Uint8Array) =>
  ((await RAW[algorithm]?.(bytes)) ?? Buffer.alloc(0)).toString('base64')
const field = (algorithm: string) => `Checksum${algorithm}` as 'ChecksumCRC32'

const storages = testStorages()

describe.each(VARIANTS)(
  'S3 checksums kept and returned ($driver driver, $persistence index)',
  ({ driver, persistence }) => {
    const t = multipartContext(storages, driver, persistence)
    /** Uploads `parts` in order, the SDK computing each one's checksum; gives what completion names. */
    const uploadParts = async (
      Key: string,
      UploadId: string | undefined,
      parts: readonly Buffer[],
      algorithm: ChecksumAlgorithm,
    ) => {
      const sent: CompletedPart[] = []
      for (const [index, Body] of parts.entries()) {
        const PartNumber = index + 1
        const input = { Bucket: 'documents', Key, UploadId, PartNumber, Body, ChecksumAlgorithm: algorithm }
        const out = await t.admin.send(new UploadPartCommand(input))
        sent.push({ PartNumber, ETag: out.ETag, [field(algorithm)]: out[field(algorithm)] })
      }
      return sent
    }

    it('returns the checksum a PutObject declared on GET and HEAD with checksum mode; the SDK checks it', async () => {
      const data = randomBytes(300_000)
      for (const algorithm of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as ChecksumAlgorithm[]) {
        const Key = `sums/${algorithm}.bin`
        await t.admin.send(
          new PutObjectCommand({ Bucket: 'documents', Key, Body: data, ChecksumAlgorithm: algorithm }),
        )
        const expected = await b64(algorithm, data)
        // The SDK's default: it asks for the checksum and checks the body against it as it reads.
        const got = await t.admin.send(
          new GetObjectCommand({ Bucket: 'documents', Key, ChecksumMode: 'ENABLED' }),
        )
        expect([got[field(algorithm)], got.ChecksumType]).toEqual([expected, 'FULL_OBJECT'])
        expect(sha256(await (got.Body?.transformToByteArray() ?? new Uint8Array()))).toBe(sha256(data))
        const head = await t.admin.send(
          new HeadObjectCommand({ Bucket: 'documents', Key, ChecksumMode: 'ENABLED' }),
        )
        expect(head[field(algorithm)]).toBe(expected)
        const attributes = await t.admin.send(
          new GetObjectAttributesCommand({ Bucket: 'documents', Key, ObjectAttributes: ['Checksum'] }),
        )
        expect(attributes.Checksum).toEqual({ [field(algorithm)]: expected, ChecksumType: 'FULL_OBJECT' })
      }
      const plain = await t.admin.send(new HeadObjectCommand({ Bucket: 'documents', Key: 'sums/CRC32.bin' }))
      expect(plain.ChecksumCRC32).toBeUndefined()
      const ranged = await t.admin.send(
        new GetObjectCommand({
          Bucket: 'documents',
          Key: 'sums/CRC32.bin',
          Range: 'bytes=0-99',
          ChecksumMode: 'ENABLED',
        }),
      )
      expect([ranged.ContentLength, ranged.ChecksumCRC32]).toEqual([100, undefined])
      await ranged.Body?.transformToByteArray()
    })

    it('forgets the checksum when the key is written again without one', async () => {
      const Key = 'sums/rewritten.txt'
      await t.admin.send(
        new PutObjectCommand({ Bucket: 'documents', Key, Body: 'first', ChecksumAlgorithm: 'SHA256' }),
      )
      const put = await t.h.fetch(`/v1/buckets/documents/objects/${Key}`, {
        method: 'PUT',
        token: t.h.admin,
        body: 'second, through the REST API',
      })
      expect(put.status).toBe(200)
      const got = await t.admin.send(
        new GetObjectCommand({ Bucket: 'documents', Key, ChecksumMode: 'ENABLED' }),
      )
      expect(got.ChecksumSHA256).toBeUndefined()
      expect(await got.Body?.transformToString()).toBe('second, through the REST API')
    })

    it('never answers a checksum for bytes other than the version it was declared for', async () => {
      const Key = 'sums/behind.txt'
      await t.admin.send(
        new PutObjectCommand({ Bucket: 'documents', Key, Body: 'declared', ChecksumAlgorithm: 'SHA256' }),
      )
      // Another writer replaces the object in the store; the index still describes the first version.
      await t.h.storage.upload('written behind Coffer', { key: `documents/${Key}` })
      const got = await t.admin.send(
        new GetObjectCommand({ Bucket: 'documents', Key, ChecksumMode: 'ENABLED' }),
      )
      expect(got.ChecksumSHA256).toBeUndefined()
      expect(await got.Body?.transformToString()).toBe('written behind Coffer')
      const head = await t.admin.send(
        new HeadObjectCommand({ Bucket: 'documents', Key, ChecksumMode: 'ENABLED' }),
      )
      expect(head.ChecksumSHA256).toBeUndefined()
    })

    it('refuses a PutObject whose checksum does not match as BadDigest, and stores nothing', async () => {
      for (const size of [1000, 6 * MiB]) {
        const Key = `sums/bad-${size}.bin`
        const data = randomBytes(size)
        const wrong = await b64('CRC32', Buffer.concat([data, Buffer.from('x')]))
        expect(
          await outcome(
            t.admin.send(
              new PutObjectCommand({ Bucket: 'documents', Key, Body: data, ChecksumCRC32: wrong }),
            ),
          ),
        ).toBe('BadDigest')
        expect(await restSha(t.h, 'documents', Key)).toBe(404)
      }
    })

    it('gives a multipart object the composite checksum of its parts, and each part its own', async () => {
      const Key = 'sums/composite.bin'
      const data = randomBytes(10 * MiB + 1000)
      const parts = partsOf(data, 5 * MiB)
      const { UploadId, ChecksumAlgorithm } = await t.admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'documents', Key, ChecksumAlgorithm: 'CRC32' }),
      )
      expect(ChecksumAlgorithm).toBe('CRC32')
      const sent = await uploadParts(Key, UploadId, parts, 'CRC32')
      const partSums = await Promise.all(parts.map((part) => b64('CRC32', part)))
      expect(sent.map((part) => part.ChecksumCRC32)).toEqual(partSums)
      const listed = await t.admin.send(new ListPartsCommand({ Bucket: 'documents', Key, UploadId }))
      expect([listed.ChecksumAlgorithm, listed.ChecksumType]).toEqual(['CRC32', 'COMPOSITE'])
      expect(listed.Parts?.map((part) => part.ChecksumCRC32)).toEqual(partSums)
      const raw = await Promise.all(parts.map((part) => RAW.CRC32?.(part) ?? Buffer.alloc(0)))
      const composite = `${uint32(crc32(Buffer.concat(raw))).toString('base64')}-${parts.length}`
      const complete = (Parts: CompletedPart[]) => t.complete('documents', Key, UploadId, Parts)
      // A part named with another checksum than it was uploaded with: refused, the upload stays.
      const misnamed = sent.map((part, i) => (i === 1 ? { ...part, ChecksumCRC32: partSums[0] } : part))
      expect(await outcome(complete(misnamed))).toBe('InvalidPart')
      const done = await complete(sent)
      expect([done.ChecksumCRC32, done.ChecksumType]).toEqual([composite, 'COMPOSITE'])
      // The SDK does not check a composite checksum against the bytes; it must still pass on.
      const got = await t.admin.send(
        new GetObjectCommand({ Bucket: 'documents', Key, ChecksumMode: 'ENABLED' }),
      )
      expect([got.ChecksumCRC32, got.ChecksumType]).toEqual([composite, 'COMPOSITE'])
      expect(sha256(await (got.Body?.transformToByteArray() ?? new Uint8Array()))).toBe(sha256(data))
      // A part read with checksum mode carries that part's checksum, which the SDK checks.
      const second = await t.admin.send(
        new GetObjectCommand({ Bucket: 'documents', Key, PartNumber: 2, ChecksumMode: 'ENABLED' }),
      )
      expect([second.ChecksumCRC32, second.PartsCount]).toEqual([await b64('CRC32', parts[1] ?? data), 3])
      expect(sha256(await (second.Body?.transformToByteArray() ?? new Uint8Array()))).toBe(
        sha256(parts[1] ?? data),
      )
      const attributes = await t.admin.send(
        new GetObjectAttributesCommand({
          Bucket: 'documents',
          Key,
          ObjectAttributes: ['Checksum', 'ObjectParts'],
        }),
      )
      expect(attributes.Checksum).toEqual({ ChecksumCRC32: composite, ChecksumType: 'COMPOSITE' })
      expect(attributes.ObjectParts?.TotalPartsCount).toBe(3)
      expect(
        attributes.ObjectParts?.Parts?.map((part) => [part.PartNumber, part.Size, part.ChecksumCRC32]),
      ).toEqual(
        await Promise.all(parts.map(async (part, i) => [i + 1, part.length, await b64('CRC32', part)])),
      )
    })

    it('gives a CRC64NVME multipart object its full-object checksum, checked at completion', async () => {
      const Key = 'sums/full.bin'
      const data = randomBytes(5 * MiB + 4321)
      const parts = partsOf(data, 5 * MiB)
      const { UploadId, ChecksumType } = await t.admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'documents', Key, ChecksumAlgorithm: 'CRC64NVME' }),
      )
      expect(ChecksumType).toBe('FULL_OBJECT')
      const sent = await uploadParts(Key, UploadId, parts, 'CRC64NVME')
      const whole = await b64('CRC64NVME', data)
      const complete = (checksum: string) =>
        t.admin.send(
          new CompleteMultipartUploadCommand({
            Bucket: 'documents',
            Key,
            UploadId,
            MultipartUpload: { Parts: sent },
            ChecksumCRC64NVME: checksum,
            ChecksumType: 'FULL_OBJECT',
          }),
        )
      expect(await outcome(complete(await b64('CRC64NVME', data.subarray(1))))).toBe('BadDigest')
      expect(await restSha(t.h, 'documents', Key)).toBe(404)
      expect((await complete(whole)).ChecksumCRC64NVME).toBe(whole)
      const got = await t.admin.send(
        new GetObjectCommand({ Bucket: 'documents', Key, ChecksumMode: 'ENABLED' }),
      )
      expect([got.ChecksumCRC64NVME, got.ChecksumType]).toEqual([whole, 'FULL_OBJECT'])
      expect(sha256(await (got.Body?.transformToByteArray() ?? new Uint8Array()))).toBe(sha256(data))
    })

    it('refuses a checksum type the algorithm does not have, and a part of another algorithm', async () => {
      const Key = 'sums/refused.bin'
      expect(
        await outcome(
          t.admin.send(
            new CreateMultipartUploadCommand({
              Bucket: 'documents',
              Key,
              ChecksumAlgorithm: 'SHA256',
              ChecksumType: 'FULL_OBJECT',
            }),
          ),
        ),
      ).toBe('InvalidRequest')
      const { UploadId } = await t.admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'documents', Key, ChecksumAlgorithm: 'SHA256' }),
      )
      expect(
        await outcome(
          t.admin.send(
            new UploadPartCommand({
              Bucket: 'documents',
              Key,
              UploadId,
              PartNumber: 1,
              Body: 'x',
              ChecksumAlgorithm: 'CRC32C',
            }),
          ),
        ),
      ).toBe('InvalidRequest')
      // A part sent with no checksum gets one of the upload's algorithm, which the upload's gets too.
      const plain = new S3Client({ ...clientConfig(t), requestChecksumCalculation: 'WHEN_REQUIRED' })
      const body = Buffer.from('one part, no checksum sent')
      const part = await plain.send(
        new UploadPartCommand({ Bucket: 'documents', Key, UploadId, PartNumber: 1, Body: body }),
      )
      expect(part.ChecksumSHA256).toBe(await b64('SHA256', body))
      const done = await plain.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'documents',
          Key,
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      )
      const digest = createHash('sha256')
        .update(Buffer.from(await b64('SHA256', body), 'base64'))
        .digest('base64')
      expect(done.ChecksumSHA256).toBe(`${digest}-1`)
    })
  },
)

/** The endpoint and credentials of the harness's admin client, for a client with other settings. */
function clientConfig(t: { h: { s3Url: string }; admin: S3Client }) {
  return {
    endpoint: t.h.s3Url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: t.admin.config.credentials,
    maxAttempts: 1,
  }
}
