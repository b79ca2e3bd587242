import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import {
  createStorage,
  isStorageError,
  MIN_PART_SIZE,
  multipartEtag,
  normalizeKey,
  type StorageService,
} from '@coffer/core'
import { expectCode, text } from '@coffer/core/testing'
import {
  createBucket,
  driverOn,
  type S3TestServer,
  type ServerName,
  startServer,
  startStorage,
} from '@coffer/driver-s3/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { S3Driver } from '../src/index.ts'
import { LONG_BODY } from '../src/s3-deadline.ts'
import { s3Error } from '../src/s3-errors.ts'
import { createClient } from '../src/s3-options.ts'

const MiB = 1024 * 1024

/** A Readable of no declared length, so that the driver is not told the part's length. */
const unsized = (bytes: Buffer) => Readable.from([bytes.subarray(0, 1), bytes.subarray(1)])

for (const name of ['ceph', 's3rver'] as ServerName[]) {
  describe(`S3 driver on ${name}: staged multipart`, () => {
    let server: S3TestServer
    let driver: S3Driver
    let storage: StorageService
    let skipped: string | undefined
    let prefix: string

    beforeAll(async () => {
      const started = await startStorage(name, { multipart: 'staged', partSize: 5 * MiB })
      if (typeof started === 'string') skipped = started
      else ({ server, driver, storage } = started)
    })
    afterAll(async () => {
      await storage?.close()
      await server?.stop()
    })
    const each = (title: string, run: () => Promise<void>) =>
      it(title, async ({ skip }) => {
        if (skipped) return skip(skipped)
        prefix = `t-${randomBytes(6).toString('hex')}/`
        await run()
      })

    each('keeps the parts of uploads out of every listing', async () => {
      await storage.upload('x', { key: `${prefix}visible` })
      const { uploadId } = await storage.createMultipartUpload(`${prefix}pending`)
      await storage.uploadPart(`${prefix}pending`, uploadId, 1, 'part')
      const whole = await storage.listObjects({ limit: 1000 })
      expect(whole.objects.map((o) => o.key).filter((key) => !key.startsWith('t-'))).toEqual([])
      const folded = await storage.listObjects({ delimiter: '/' })
      expect(folded.prefixes.every((p) => p.startsWith('t-'))).toBe(true)
      await storage.abortMultipartUpload(`${prefix}pending`, uploadId)
    })

    each('shows the multipart etag on head and get, and pins the stored one', async () => {
      const key = `${prefix}joined.bin`
      const first = randomBytes(MIN_PART_SIZE)
      const { uploadId } = await storage.createMultipartUpload(key)
      const one = await storage.uploadPart(key, uploadId, 1, first)
      const two = await storage.uploadPart(key, uploadId, 2, 'tail')
      const info = await storage.completeMultipartUpload(key, uploadId, [one, two])
      expect(info.etag).toBe(multipartEtag([one, two]))
      expect((await storage.stat(key)).etag).toBe(info.etag)
      expect(await storage.getObject(key, { ifNoneMatch: info.etag })).toMatchObject({ notModified: true })
      // Conditional reads and copies pin the etag the server keeps (If-Match), not the one shown.
      const got = await storage.getObject(key, { ifNoneMatch: '"other"', range: { suffix: 4 } })
      expect(got.notModified === false && (await text(got.body))).toBe('tail')
      const copy = await storage.copy(key, `${prefix}copy.bin`)
      expect(copy.size).toBe(first.length + 4)
    })

    each('refuses a completion whose part changed since it was checked', async () => {
      const key = `${prefix}changed`
      const { uploadId } = await storage.createMultipartUpload(key)
      const old = await storage.uploadPart(key, uploadId, 1, 'abc')
      await storage.uploadPart(key, uploadId, 1, 'abcdef')
      const stale = driver.multipart?.completeUpload(normalizeKey(key), uploadId, [old])
      await expectCode(stale ?? Promise.resolve(), 'InvalidPart')
      await expectCode(storage.stat(key), 'NotFound')
      await storage.abortMultipartUpload(key, uploadId)
    })

    each('stops a completion on its signal, the upload left as it was', async () => {
      const key = `${prefix}stopped`
      const { uploadId } = await storage.createMultipartUpload(key)
      const part = await storage.uploadPart(key, uploadId, 1, 'bytes')
      const signal = AbortSignal.abort()
      await expectCode(storage.completeMultipartUpload(key, uploadId, [part], { signal }), 'Aborted')
      await expectCode(storage.stat(key), 'NotFound')
      expect(await storage.listParts(key, uploadId)).toEqual([part])
      await storage.completeMultipartUpload(key, uploadId, [part])
      expect(await text((await storage.getObject(key)).body)).toBe('bytes')
    })

    each('buffers a part of unknown length up to partSize, and refuses a longer one', async () => {
      const key = `${prefix}unsized`
      const { uploadId } = await storage.createMultipartUpload(key)
      const small = await storage.uploadPart(key, uploadId, 1, unsized(Buffer.from('no length given')))
      expect(small.size).toBe(15)
      await expectCode(storage.uploadPart(key, uploadId, 2, unsized(randomBytes(6 * MiB))), 'InvalidArgument')
      expect(await storage.listParts(key, uploadId)).toEqual([small])
      await storage.completeMultipartUpload(key, uploadId, [small])
      expect(await text((await storage.getObject(key)).body)).toBe('no length given')
    })

    each('sweeps the uploads started before the cutoff, parts and all', async () => {
      const key = `${prefix}stale`
      const { uploadId } = await storage.createMultipartUpload(key)
      await storage.uploadPart(key, uploadId, 1, 'left behind')
      expect(await driver.sweepUploads(new Date(Date.now() - 3_600_000))).toBe(0)
      expect(await storage.listParts(key, uploadId)).toHaveLength(1)
      expect(await driver.sweepUploads(new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1)
      await expectCode(storage.listParts(key, uploadId), 'NotFound')
    })
  })
}

describe('S3 driver on s3rver: outside staged multipart', () => {
  let server: S3TestServer | string
  beforeAll(async () => {
    server = await startServer('s3rver')
  })
  afterAll(async () => {
    if (typeof server === 'object') await server.stop()
  })

  it('names the staged strategy when the server lacks ListParts', async ({ skip }) => {
    if (typeof server === 'string') return skip(server)
    const storage = createStorage({ driver: await driverOn(server) })
    try {
      const { uploadId } = await storage.createMultipartUpload('native/upload.bin')
      const error = await storage.listParts('native/upload.bin', uploadId).catch((e: unknown) => e)
      expect(isStorageError(error, 'Unavailable') && error.retryable).toBe(false)
      expect((error as Error).message).toMatch(/multipart: 'staged' \(COFFER_S3_MULTIPART=staged\)/)
    } finally {
      await storage.close()
    }
  })

  it('sends a body that streams past the request timeout and the deadline (LONG_BODY)', async ({ skip }) => {
    if (typeof server === 'string') return skip(server)
    await createBucket(server, 'long-body')
    const { accessKeyId, secretAccessKey } = server
    const options = {
      bucket: 'long-body',
      endpoint: server.endpoint,
      credentials: { accessKeyId, secretAccessKey },
    }
    const client = createClient({ ...options, requestTimeout: 300, deadline: 500 })
    // 1.5 s of body: a staged completion's PutObject answers only after its last byte.
    const slow = () => {
      let sent = 0
      return new Readable({
        read() {
          if (sent++ === 15) return void this.push(null)
          setTimeout(() => this.push(Buffer.alloc(100, 1)), 100)
        },
      })
    }
    const put = (opts: object) =>
      client.send(
        new PutObjectCommand({ Bucket: 'long-body', Key: 'k', Body: slow(), ContentLength: 1500 }),
        opts,
      )
    try {
      await put(LONG_BODY)
      await expectCode(
        put({}).catch((e: unknown) => Promise.reject(s3Error(e, 'writing'))),
        'Unavailable',
      )
    } finally {
      client.destroy()
    }
  })
})
