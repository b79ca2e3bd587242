import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStorage, fsDriver } from '@coffer/core'
import { DetailedError, type HttpRequest, Upload } from 'tus-js-client'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createApp } from '../src/index.ts'
import { filesUnder, type Harness, json, startHarness, testStorages, VARIANTS } from './harness.ts'
import { CHUNK, runUpload, statusOf } from './tus-client.ts'

const storages = testStorages()

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** tus's Upload-Metadata: comma-separated `name base64(value)` pairs. */
function metadataHeader(meta: Record<string, string>): string {
  return Object.entries(meta)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',')
}

describe.each(VARIANTS)(
  'resumable uploads, tus ($driver driver, $persistence index)',
  ({ driver, persistence }) => {
    let h: Harness
    let writer: string
    let other: string
    const endpoint = () => `${h.url}/v1/uploads`
    const auth = (token: string) => ({ Authorization: `Bearer ${token}` })
    const tusHeaders = (token: string, extra: Record<string, string> = {}) => ({
      ...auth(token),
      'Tus-Resumable': '1.0.0',
      ...extra,
    })
    const sessions = () => h.db.selectFrom('upload_sessions').selectAll().execute()

    /** Creates an upload by hand and returns its absolute URL. */
    async function create(token: string, meta: Record<string, string>, length: number): Promise<string> {
      const response = await h.fetch('/v1/uploads', {
        method: 'POST',
        headers: tusHeaders(token, {
          'Upload-Length': String(length),
          'Upload-Metadata': metadataHeader(meta),
        }),
      })
      expect(response.status).toBe(201)
      return new URL(response.headers.get('location') ?? '', endpoint()).toString()
    }

    beforeEach(({ skip }) => storages.skipUnavailable(driver, skip))
    beforeAll(async () => {
      if (!(await storages.ready(driver))) return
      h = await storages.start(driver, persistence)
      const tiny = { name: 'tiny', maxFileSize: 100_000, allowedTypes: ['image/*'] }
      expect((await h.fetch('/v1/buckets', json(tiny, { token: h.admin }))).status).toBe(201)
      const scopes = [
        { bucket: 'documents', permissions: ['read', 'write'] },
        { bucket: 'tiny', permissions: ['read', 'write'] },
      ]
      writer = await h.key(scopes)
      other = await h.key(scopes)
    })
    afterAll(() => h?.close())

    it('uploads in chunks and stores the exact bytes', async () => {
      const body = randomBytes(5 * CHUNK + 1234)
      const upload = await runUpload(body, {
        endpoint: endpoint(),
        headers: auth(writer),
        metadata: { bucket: 'documents', key: 'tus/whole.bin', contentType: 'application/octet-stream' },
      })
      expect(upload.url).toMatch(/\/v1\/uploads\/[0-9a-f]{32}$/)
      const response = await h.fetch('/v1/buckets/documents/objects/tus/whole.bin', { token: writer })
      expect(response.status).toBe(200)
      const stored = Buffer.from(await response.arrayBuffer())
      expect(stored.equals(body)).toBe(true)
      expect(sha256(stored)).toBe(sha256(body))
      expect(await sessions()).toEqual([])
      expect(
        (await h.fetch(new URL(upload.url ?? '').pathname, { method: 'HEAD', headers: tusHeaders(writer) }))
          .status,
      ).toBe(404)
    })

    it('names the object from a filename when no key is given', async () => {
      const response = await h.fetch('/v1/uploads', {
        method: 'POST',
        headers: tusHeaders(writer, {
          'Upload-Length': '5',
          'Upload-Metadata': metadataHeader({ bucket: 'documents', filename: 'My Report.txt' }),
        }),
      })
      expect(response.status).toBe(201)
      expect(response.headers.get('x-coffer-key')).toMatch(/-my-report\.txt$/)
      const path = new URL(response.headers.get('location') ?? '', endpoint()).pathname
      expect((await h.fetch(path, { method: 'DELETE', headers: tusHeaders(writer) })).status).toBe(204)
      expect(await sessions()).toEqual([])
    })

    it('resumes an interrupted upload at the server offset', async () => {
      const body = randomBytes(6 * CHUNK + 77)
      const first = new Upload(body, {
        endpoint: endpoint(),
        headers: auth(writer),
        chunkSize: CHUNK,
        retryDelays: null,
        storeFingerprintForResuming: false,
        metadata: { bucket: 'documents', key: 'tus/resumed.bin' },
      })
      await new Promise<void>((resolve, reject) => {
        first.options.onError = reject
        first.options.onChunkComplete = (_size, accepted) => {
          if (accepted >= 2 * CHUNK) first.abort().then(resolve, reject)
        }
        first.start()
      })
      const url = first.url ?? ''
      const head = await h.fetch(new URL(url).pathname, { method: 'HEAD', headers: tusHeaders(writer) })
      expect(head.status).toBe(200)
      const offset = Number(head.headers.get('upload-offset'))
      expect(offset).toBeGreaterThanOrEqual(2 * CHUNK)
      expect(offset).toBeLessThan(body.length)

      const patchOffsets: number[] = []
      await runUpload(body, {
        uploadUrl: url,
        headers: auth(writer),
        onBeforeRequest: (request: HttpRequest) => {
          if (request.getMethod() === 'PATCH') patchOffsets.push(Number(request.getHeader('Upload-Offset')))
        },
      })
      expect(patchOffsets[0]).toBe(offset)
      const stored = Buffer.from(
        await (
          await h.fetch('/v1/buckets/documents/objects/tus/resumed.bin', { token: writer })
        ).arrayBuffer(),
      )
      expect(sha256(stored)).toBe(sha256(body))
    })

    it('refuses an upload over the bucket limit at creation with 413', async () => {
      const response = await h.fetch('/v1/uploads', {
        method: 'POST',
        headers: tusHeaders(writer, {
          'Upload-Length': '100001',
          'Upload-Metadata': metadataHeader({ bucket: 'tiny', key: 'big.png' }),
        }),
      })
      expect(response.status).toBe(413)
      expect(await response.json()).toMatchObject({ code: 'TooLarge' })
      expect(await sessions()).toEqual([])
    })

    it('refuses an upload the bucket quota has no room for at creation with 413', async () => {
      const bucket = await h.fetch('/v1/buckets', json({ name: 'full', quotaBytes: 10 }, { token: h.admin }))
      expect(bucket.status).toBe(201)
      const response = await h.fetch('/v1/uploads', {
        method: 'POST',
        headers: tusHeaders(h.admin, {
          'Upload-Length': '11',
          'Upload-Metadata': metadataHeader({ bucket: 'full', key: 'big.bin' }),
        }),
      })
      expect(response.status).toBe(413)
      expect(await response.json()).toMatchObject({ code: 'QuotaExceeded' })
      expect(await sessions()).toEqual([])
    })

    it('stops a PATCH past the bucket limit of a deferred-length upload with 413', async () => {
      const created = await h.fetch('/v1/uploads', {
        method: 'POST',
        headers: tusHeaders(writer, {
          'Upload-Defer-Length': '1',
          'Upload-Metadata': metadataHeader({ bucket: 'tiny', key: 'deferred.png' }),
        }),
      })
      expect(created.status).toBe(201)
      const path = new URL(created.headers.get('location') ?? '', endpoint()).pathname
      const patch = await h.fetch(path, {
        method: 'PATCH',
        headers: tusHeaders(writer, {
          'Upload-Offset': '0',
          'Content-Type': 'application/offset+octet-stream',
        }),
        body: Buffer.alloc(100_001),
      })
      expect(patch.status).toBe(413)
      expect((await h.fetch(path, { method: 'DELETE', headers: tusHeaders(writer) })).status).toBe(204)
      expect(await sessions()).toEqual([])
    })

    it('refuses bytes the bucket does not allow with 415 and stores nothing', async () => {
      const html = Buffer.from(`<!doctype html><html><script>alert(1)</script>${' '.repeat(3000)}</html>`)
      const error = await runUpload(html, {
        endpoint: endpoint(),
        headers: auth(writer),
        chunkSize: 1024,
        metadata: { bucket: 'tiny', key: 'evil.png', contentType: 'image/png' },
      }).catch((e: unknown) => e)
      expect(statusOf(error)).toBe(415)
      expect(error instanceof DetailedError && error.originalResponse?.getBody()).toContain(
        'UnsupportedMediaType',
      )
      expect((await h.fetch('/v1/buckets/tiny/objects/evil.png', { token: writer })).status).toBe(404)
      expect(await h.stored('tiny')).toEqual([])
      expect(await sessions()).toEqual([])
    })

    it("keeps an upload to its creator's credential", async () => {
      const url = await create(writer, { bucket: 'documents', key: 'tus/mine.bin' }, 10)
      const path = new URL(url).pathname
      expect((await h.fetch(path, { method: 'HEAD', headers: tusHeaders(other) })).status).toBe(404)
      const patch = await h.fetch(path, {
        method: 'PATCH',
        headers: tusHeaders(other, {
          'Upload-Offset': '0',
          'Content-Type': 'application/offset+octet-stream',
        }),
        body: Buffer.from('0123456789'),
      })
      expect(patch.status).toBe(404)
      expect((await h.fetch(path, { method: 'DELETE', headers: tusHeaders(other) })).status).toBe(404)
      const head = await h.fetch(path, { method: 'HEAD', headers: tusHeaders(writer) })
      expect(head.status).toBe(200)
      expect(head.headers.get('upload-offset')).toBe('0')
      expect((await h.fetch(path, { method: 'DELETE', headers: tusHeaders(writer) })).status).toBe(204)
      expect((await h.fetch(path, { method: 'HEAD', headers: tusHeaders(writer) })).status).toBe(404)
    })

    it('needs credentials (401) and write permission (403)', async () => {
      const meta = metadataHeader({ bucket: 'documents', key: 'tus/anon.bin' })
      const anonymous = await h.fetch('/v1/uploads', {
        method: 'POST',
        headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '3', 'Upload-Metadata': meta },
      })
      expect(anonymous.status).toBe(401)
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer')
      const reader = await h.key([{ bucket: 'documents', permissions: ['read'] }])
      const denied = await h.fetch('/v1/uploads', {
        method: 'POST',
        headers: tusHeaders(reader, { 'Upload-Length': '3', 'Upload-Metadata': meta }),
      })
      expect(denied.status).toBe(403)
      const url = await create(writer, { bucket: 'documents', key: 'tus/anon.bin' }, 3)
      expect(
        (await h.fetch(new URL(url).pathname, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } }))
          .status,
      ).toBe(401)
    })
  },
)

describe('resumable uploads across a restart', () => {
  it('continues an upload on a new service over the same index and uploads directory', async () => {
    const h = await startHarness('sqlite')
    const dir = await mkdtemp(join(tmpdir(), 'coffer-tus-restart-'))
    const storage = createStorage({ driver: fsDriver({ root: join(dir, 'files'), fsync: false }) })
    const start = async () => {
      const app = await createApp({
        storage,
        db: h.db,
        signingSecret: 'x'.repeat(32),
        uploadsDir: join(dir, 'uploads'),
      })
      return { app, url: await app.listen({ port: 0, host: '127.0.0.1' }) }
    }
    try {
      const body = randomBytes(3 * CHUNK)
      const first = await start()
      const headers = { Authorization: `Bearer ${h.admin}`, 'Tus-Resumable': '1.0.0' }
      const created = await fetch(`${first.url}/v1/uploads`, {
        method: 'POST',
        headers: {
          ...headers,
          'Upload-Length': String(body.length),
          'Upload-Metadata': metadataHeader({ bucket: 'documents', key: 'restart.bin' }),
        },
      })
      const path = new URL(created.headers.get('location') ?? '', first.url).pathname
      const part = { ...headers, 'Content-Type': 'application/offset+octet-stream' }
      const patched = await fetch(first.url + path, {
        method: 'PATCH',
        headers: { ...part, 'Upload-Offset': '0' },
        body: body.subarray(0, CHUNK),
      })
      expect(patched.status).toBe(204)
      await first.app.close()

      const second = await start()
      try {
        const head = await fetch(second.url + path, { method: 'HEAD', headers })
        expect(head.headers.get('upload-offset')).toBe(String(CHUNK))
        await runUpload(body, {
          uploadUrl: second.url + path,
          headers: { Authorization: `Bearer ${h.admin}` },
        })
        const stored = await storage.getObject('documents/restart.bin')
        expect('body' in stored && stored.info.checksum.sha256).toBe(sha256(body))
        if ('body' in stored) stored.body.destroy()
        expect(await filesUnder(join(dir, 'uploads'))).toEqual([])
      } finally {
        await second.app.close()
      }
    } finally {
      await storage.close()
      await h.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('abandoned resumable uploads', () => {
  const tusHeaders = (token: string, extra: Record<string, string> = {}) => ({
    Authorization: `Bearer ${token}`,
    'Tus-Resumable': '1.0.0',
    ...extra,
  })

  it('are removed once idle for the expiry, while active ones stay', async () => {
    const h = await startHarness('sqlite', { uploadExpiry: 1500 })
    try {
      const create = async (key: string) => {
        const response = await h.fetch('/v1/uploads', {
          method: 'POST',
          headers: tusHeaders(h.admin, {
            'Upload-Length': '1000',
            'Upload-Metadata': metadataHeader({ bucket: 'documents', key }),
          }),
        })
        expect(response.status).toBe(201)
        return new URL(response.headers.get('location') ?? '', `${h.url}/v1/uploads/`).pathname
      }
      const abandoned = await create('abandoned.bin')
      const active = await create('active.bin')
      const sessions = async () =>
        (await h.db.selectFrom('upload_sessions').select('key').execute()).map((row) => row.key)
      expect((await sessions()).sort()).toEqual(['abandoned.bin', 'active.bin'])
      // The active upload sends a byte every 100 ms; the other sends nothing. Bounded: 80 rounds.
      let offset = 0
      for (let round = 0; round < 80 && (await sessions()).length > 1; round++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        const patch = await h.fetch(active, {
          method: 'PATCH',
          headers: tusHeaders(h.admin, {
            'Upload-Offset': String(offset),
            'Content-Type': 'application/offset+octet-stream',
          }),
          body: 'x',
        })
        expect(patch.status).toBe(204)
        offset += 1
      }
      expect(await sessions()).toEqual(['active.bin'])
      const gone = await h.fetch(abandoned, { method: 'HEAD', headers: tusHeaders(h.admin) })
      expect(gone.status).toBe(404)
    } finally {
      await h.close()
    }
  })
})
