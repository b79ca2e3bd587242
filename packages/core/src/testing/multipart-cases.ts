/**
 * The conformance suite's multipart cases: S3's model (parts in any order and again, a completion
 * checked for order, etags and sizes, the multipart etag) on every driver, through the StorageService.
 */
import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { expect } from 'vitest'
import { MIN_PART_SIZE, multipartEtag } from '../multipart.ts'
import type { StorageService } from '../service/storage-service.ts'
import { expectCode, type SuiteContext, sha256, text } from './driver-suite.ts'

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex')

async function bytesOf(storage: StorageService, key: string): Promise<Buffer> {
  return Buffer.concat(await (await storage.getObject(key)).body.toArray())
}

export const multipartCases: Record<string, (ctx: SuiteContext) => Promise<void>> = {
  async 'multipart: parts sent out of order join in part order, with S3 etag'({ storage, prefix }) {
    const key = `${prefix}big.bin`
    const first = randomBytes(MIN_PART_SIZE)
    const last = randomBytes(4321)
    const { uploadId } = await storage.createMultipartUpload(key, { contentType: 'application/x-test' })
    await expectCode(storage.stat(key), 'NotFound')
    const two = await storage.uploadPart(key, uploadId, 2, last)
    const one = await storage.uploadPart(key, uploadId, 1, first)
    expect(one).toMatchObject({ partNumber: 1, size: first.length })
    const parts = await storage.listParts(key, uploadId)
    expect(parts).toEqual([
      { partNumber: 1, etag: one.etag, size: first.length },
      { partNumber: 2, etag: two.etag, size: last.length },
    ])
    expect(one.etag).toBe(`"${md5(first)}"`)
    const info = await storage.completeMultipartUpload(key, uploadId, [one, two])
    const whole = Buffer.concat([first, last])
    expect(info).toMatchObject({ key, size: whole.length, contentType: 'application/x-test' })
    expect(info.etag).toBe(multipartEtag([one, two]))
    expect((await storage.stat(key)).etag).toBe(info.etag)
    if (info.checksum.sha256 !== undefined) expect(info.checksum.sha256).toBe(sha256(whole))
    expect(sha256(await bytesOf(storage, key))).toBe(sha256(whole))
    await expectCode(storage.listParts(key, uploadId), 'NotFound')
  },

  async 'multipart: a part sent again replaces the one before'({ storage, prefix }) {
    const key = `${prefix}again.txt`
    const { uploadId } = await storage.createMultipartUpload(key)
    const old = await storage.uploadPart(key, uploadId, 1, 'first version')
    const fresh = await storage.uploadPart(key, uploadId, 1, 'second one')
    expect(await storage.listParts(key, uploadId)).toEqual([fresh])
    await expectCode(storage.completeMultipartUpload(key, uploadId, [old]), 'InvalidPart')
    await storage.completeMultipartUpload(key, uploadId, [fresh])
    expect(await text((await storage.getObject(key)).body)).toBe('second one')
  },

  async 'multipart: completion checks order, etags, part numbers and sizes'({ storage, prefix }) {
    const key = `${prefix}checked`
    const { uploadId } = await storage.createMultipartUpload(key)
    const one = await storage.uploadPart(key, uploadId, 1, 'small one')
    const two = await storage.uploadPart(key, uploadId, 2, 'small two')
    await expectCode(storage.uploadPart(key, uploadId, 0, 'x'), 'InvalidArgument')
    await expectCode(storage.uploadPart(key, uploadId, 10_001, 'x'), 'InvalidArgument')
    const complete = (parts: { partNumber: number; etag: string }[]) =>
      storage.completeMultipartUpload(key, uploadId, parts)
    await expectCode(complete([two, one]), 'InvalidPartOrder')
    await expectCode(complete([{ ...one, etag: two.etag }]), 'InvalidPart')
    await expectCode(complete([one, { ...two, partNumber: 3 }]), 'InvalidPart')
    await expectCode(complete([]), 'InvalidArgument')
    await expectCode(complete([one, two]), 'PartTooSmall')
    // Refusals leave the upload as it was. (Not completed with a subset of its parts: S3 allows
    // that, but Ceph RGW 16 refuses it as InvalidPart.)
    expect(await storage.listParts(key, uploadId)).toEqual([one, two])
    await expectCode(storage.stat(key), 'NotFound')
    await storage.abortMultipartUpload(key, uploadId)
  },

  async 'multipart: a part of another length than declared is refused'({ storage, prefix }) {
    const key = `${prefix}declared`
    const { uploadId } = await storage.createMultipartUpload(key)
    const send = (bytes: number) =>
      storage.uploadPart(key, uploadId, 1, Readable.from([Buffer.alloc(bytes, 1)]), { contentLength: 100 })
    await expectCode(send(50), 'InvalidArgument')
    await expectCode(send(150), 'InvalidArgument')
    expect(await storage.listParts(key, uploadId)).toEqual([])
    await storage.abortMultipartUpload(key, uploadId)
  },

  async 'multipart: abort removes the upload; unknown ids are NotFound'({ storage, prefix }) {
    const key = `${prefix}aborted`
    const { uploadId } = await storage.createMultipartUpload(key)
    const part = await storage.uploadPart(key, uploadId, 1, 'bytes')
    await expectCode(storage.listParts(`${prefix}other`, uploadId), 'NotFound')
    await expectCode(storage.uploadPart(`${prefix}other`, uploadId, 1, 'x'), 'NotFound')
    await storage.abortMultipartUpload(key, uploadId)
    await expectCode(storage.listParts(key, uploadId), 'NotFound')
    await expectCode(storage.completeMultipartUpload(key, uploadId, [part]), 'NotFound')
    await expectCode(storage.uploadPart(key, uploadId, 2, 'late'), 'NotFound')
    await expectCode(storage.stat(key), 'NotFound')
    await expectCode(storage.listParts(key, 'ffffffffffffffffffffffffffffffff'), 'NotFound')
  },

  async 'multipart: the attributes given at the start are the object attributes'({ storage, prefix }) {
    const key = `${prefix}report.csv`
    const attributes = {
      metadata: { project: '42' },
      cacheControl: 'no-cache',
      contentDisposition: 'attachment; filename="r.csv"',
    }
    const { uploadId, contentType } = await storage.createMultipartUpload(key, attributes)
    expect(contentType).toMatch(/^text\/csv/)
    const part = await storage.uploadPart(key, uploadId, 1, 'a,b\n1,2\n')
    await storage.completeMultipartUpload(key, uploadId, [part])
    expect(await storage.stat(key)).toMatchObject({ ...attributes, contentType })
  },

  async 'multipart: parts copied from ranges of an object'({ storage, prefix }) {
    const source = randomBytes(MIN_PART_SIZE + 100)
    await storage.upload(source, { key: `${prefix}source` })
    const key = `${prefix}copied`
    const { uploadId } = await storage.createMultipartUpload(key)
    const one = await storage.uploadPartCopy(key, uploadId, 1, `${prefix}source`)
    const two = await storage.uploadPartCopy(key, uploadId, 2, `${prefix}source`, { range: 'bytes=10-19' })
    expect([one.size, two.size]).toEqual([source.length, 10])
    await storage.completeMultipartUpload(key, uploadId, [one, two])
    const expected = Buffer.concat([source, source.subarray(10, 20)])
    expect(sha256(await bytesOf(storage, key))).toBe(sha256(expected))
  },
}
