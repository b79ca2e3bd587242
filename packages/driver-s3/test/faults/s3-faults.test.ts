import { randomBytes } from 'node:crypto'
import { CreateMultipartUploadCommand } from '@aws-sdk/client-s3'
import { type S3TestServer, startServer } from '@coffer/driver-s3/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CofferOnS3,
  indexRows,
  openUploads,
  request,
  sha256Of,
  startCofferOnS3,
  storeContents,
} from './coffer-on-s3.ts'

const MiB = 1024 * 1024
const object = (key: string) => `/v1/buckets/documents/objects/${key}`

/**
 * Each finding of the fault-injection review (issue 22), reproduced through a fault proxy between a
 * real Coffer and a real Ceph RGW. The seeded workload over all faults is in `fault-suite.test.ts`.
 */
describe('Coffer on S3 with faults between them', () => {
  let server: S3TestServer | string
  const running: CofferOnS3[] = []
  beforeAll(async () => {
    server = await startServer('ceph')
  })
  afterAll(async () => {
    for (const coffer of running) await coffer.close()
    if (typeof server === 'object') await server.stop()
  })
  async function coffer(skip: (note: string) => void, options: Parameters<typeof startCofferOnS3>[2] = {}) {
    if (typeof server === 'string') skip(server)
    const started = await startCofferOnS3(server as S3TestServer, 22, options)
    running.push(started)
    return started
  }

  it('answers 503 with Retry-After, not hang, when S3 accepts connections and goes silent', async ({
    skip,
  }) => {
    const c = await coffer(skip)
    expect((await request(c, 'PUT', object('kept.txt'), Buffer.from('kept'))).status).toBe(200)
    c.proxy.set({ halfOpen: true })
    // Each bounded by REQUEST_BOUND (status 0 past it): without timeouts they took minutes.
    const get = await request(c, 'GET', object('kept.txt'))
    const small = await request(c, 'PUT', object('small.txt'), randomBytes(1000))
    const large = await request(c, 'PUT', object('large.bin'), randomBytes(12 * MiB))
    for (const answer of [get, small, large]) {
      expect(answer.status).toBe(503)
      expect(answer.headers.get('retry-after')).toMatch(/^\d+$/)
      expect(JSON.parse(answer.body.toString())).toMatchObject({ code: 'Unavailable' })
    }
    c.proxy.set({})
    expect((await request(c, 'GET', object('kept.txt'))).body.toString()).toBe('kept')
  })

  it('answers 503 with Retry-After while S3 is down', async ({ skip }) => {
    const c = await coffer(skip)
    c.proxy.set({ outage: true })
    const answer = await request(c, 'GET', object('any.txt'))
    expect(answer.status).toBe(503)
    expect(answer.headers.get('retry-after')).toMatch(/^\d+$/)
  })

  it('sends a part whose byte was flipped on the way again, and never stores it', async ({ skip }) => {
    const c = await coffer(skip)
    const large = randomBytes(12 * MiB)
    const small = randomBytes(3 * MiB)
    c.proxy.set({ flipNext: 1 })
    expect((await request(c, 'PUT', object('large.bin'), large)).status).toBe(200)
    c.proxy.set({ flipNext: 1 })
    expect((await request(c, 'PUT', object('small.bin'), small)).status).toBe(200)
    expect(c.proxy.counts.flips).toBe(2)
    const stored = await storeContents(c, 'documents')
    expect(stored.get('large.bin')).toMatchObject({ sha256: sha256Of(large), recorded: sha256Of(large) })
    expect(stored.get('small.bin')).toMatchObject({ sha256: sha256Of(small), recorded: sha256Of(small) })
  })

  it('resumes a body cut mid-stream with a range read, and answers 503 when it cannot', async ({ skip }) => {
    const c = await coffer(skip)
    const large = randomBytes(12 * MiB)
    const small = randomBytes(40 * 1024) // served whole, not streamed (under 64 KiB)
    expect((await request(c, 'PUT', object('large.bin'), large)).status).toBe(200)
    expect((await request(c, 'PUT', object('small.bin'), small)).status).toBe(200)
    for (const [key, bytes, cutAt] of [
      ['large.bin', large, MiB],
      // Cut right after the headers, while the driver still reads the object's tags (its sha256).
      ['large.bin', large, 128 * 1024],
      ['small.bin', small, 20 * 1024],
    ] as const) {
      c.proxy.set({ cutAfterBytes: cutAt, cuts: 1 })
      const resets = c.proxy.counts.resets
      const answer = await request(c, 'GET', object(key))
      expect(c.proxy.counts.resets).toBe(resets + 1)
      expect(answer.status).toBe(200)
      expect(sha256Of(answer.body)).toBe(sha256Of(bytes))
    }
    // Cut, then S3 down: the resumes give up, and the answer is a 503, not a 500.
    c.proxy.set({ cutAfterBytes: 20 * 1024, cuts: 1, outageAfterCut: true })
    const broken = await request(c, 'GET', object('small.bin'))
    expect(broken.status).toBe(503)
    expect(broken.headers.get('retry-after')).toMatch(/^\d+$/)
  })

  it('answers 200 and indexes an upload whose tagging failed three times after it landed', async ({
    skip,
  }) => {
    const c = await coffer(skip)
    const large = randomBytes(12 * MiB)
    c.proxy.set({ refuse: /^PUT \S*\?tagging/, refusals: 4 })
    const answer = await request(c, 'PUT', object('landed.bin'), large)
    expect(c.proxy.counts.slowDowns).toBe(4)
    expect(answer.status).toBe(200)
    expect((await indexRows(c, 'documents')).get('landed.bin')).toMatchObject({
      size: large.length,
      sha256: sha256Of(large),
    })
    expect((await storeContents(c, 'documents')).get('landed.bin')?.recorded).toBe(sha256Of(large))
  })

  it('keeps the index on the last upload when a large one follows a small one within a second', async ({
    skip,
  }) => {
    const c = await coffer(skip)
    for (let round = 0; round < 3; round++) {
      // Just over one part (multipart), both PUTs early in one second of the clock: the finding.
      const large = randomBytes(5 * MiB + 1)
      await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)))
      expect((await request(c, 'PUT', object('twice.bin'), randomBytes(10))).status).toBe(200)
      expect((await request(c, 'PUT', object('twice.bin'), large)).status).toBe(200)
      const row = (await indexRows(c, 'documents')).get('twice.bin')
      expect(row).toMatchObject({ size: large.length, sha256: sha256Of(large) })
      expect(row?.etag).toBe((await storeContents(c, 'documents')).get('twice.bin')?.etag)
    }
  })

  it('aborts multipart uploads left behind once they are older than the upload expiry', async ({ skip }) => {
    const c = await coffer(skip, { uploadExpiry: 1000 })
    const orphan = await c.direct.send(
      new CreateMultipartUploadCommand({ Bucket: c.s3Bucket, Key: 'documents/orphan.bin' }),
    )
    expect(orphan.UploadId).toBeTruthy()
    expect(await c.driver.sweepUploads(new Date(Date.now() - 60_000))).toBe(0) // too young
    await expect.poll(() => openUploads(c)).toEqual([])
  })
})
