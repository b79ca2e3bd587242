import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/config.ts'
import { type Harness, type HarnessOptions, json, startHarness, streamOf } from './harness.ts'

/** tus's Upload-Metadata: comma-separated `name base64(value)` pairs. */
const metadataHeader = (meta: Record<string, string>) =>
  Object.entries(meta)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',')

const MiB = 1024 * 1024

/**
 * F5: bytes staged by unfinished resumable uploads are held to the bucket's size limit and quota and
 * to a service-wide cap, and a credential may have only so many uploads open; tried as an attacker
 * with a write key would, over HTTP.
 */
describe('tus staging limits (F5)', () => {
  let h: Harness
  afterEach(() => h?.close())

  const tus = (token: string, extra: Record<string, string> = {}) => ({
    Authorization: `Bearer ${token}`,
    'Tus-Resumable': '1.0.0',
    ...extra,
  })

  async function start(options: HarnessOptions = {}, bucket?: Record<string, unknown>) {
    h = await startHarness('sqlite', options)
    if (bucket) expect((await h.fetch('/v1/buckets', json(bucket, { token: h.admin }))).status).toBe(201)
  }

  /** Creates an upload (`length` bytes, or deferred) and returns its path. */
  async function create(bucket: string, key: string, length?: number, token = h.admin): Promise<string> {
    const response = await h.fetch('/v1/uploads', {
      method: 'POST',
      headers: tus(token, {
        ...(length === undefined ? { 'Upload-Defer-Length': '1' } : { 'Upload-Length': String(length) }),
        'Upload-Metadata': metadataHeader({ bucket, key }),
      }),
    })
    expect(response.status, await response.clone().text()).toBe(201)
    return new URL(response.headers.get('location') ?? '', `${h.url}/v1/uploads/`).pathname
  }

  function patch(path: string, offset: number, body: BodyInit, extra: Record<string, string> = {}) {
    return h.fetch(path, {
      method: 'PATCH',
      headers: tus(h.admin, {
        'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream',
        ...extra,
      }),
      body,
      duplex: 'half',
    } as RequestInit)
  }

  async function offsetOf(path: string): Promise<number> {
    const head = await h.fetch(path, { method: 'HEAD', headers: tus(h.admin) })
    expect(head.status).toBe(200)
    return Number(head.headers.get('upload-offset'))
  }

  async function expectProblem(response: Response, status: number, code: string) {
    expect(response.status).toBe(status)
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await response.json()).toMatchObject({ status, code })
  }

  it('refuses a deferred-length PATCH past the quota before staging a byte', async () => {
    await start({}, { name: 'small', quotaBytes: MiB })
    const path = await create('small', 'big.bin')
    await expectProblem(await patch(path, 0, Buffer.alloc(8 * MiB)), 413, 'QuotaExceeded')
    expect(await offsetOf(path)).toBe(0)
    // Without a Content-Length the body is cut where the quota's room ends.
    const chunked = await patch(path, 0, streamOf(Buffer.alloc(0), 8 * MiB))
    expect(chunked.status).toBe(413)
    expect(await offsetOf(path)).toBeLessThanOrEqual(MiB)
  })

  it('counts the bytes other uploads staged in the bucket against its quota', async () => {
    await start({}, { name: 'shared', quotaBytes: 1000 })
    const first = await create('shared', 'first.bin', 800)
    expect((await patch(first, 0, Buffer.alloc(600))).status).toBe(204)
    // 600 bytes are staged: an upload of 500 more has no room, at creation or by PATCH.
    const refused = await h.fetch('/v1/uploads', {
      method: 'POST',
      headers: tus(h.admin, {
        'Upload-Length': '500',
        'Upload-Metadata': metadataHeader({ bucket: 'shared', key: 'second.bin' }),
      }),
    })
    await expectProblem(refused, 413, 'QuotaExceeded')
    const deferred = await create('shared', 'third.bin')
    await expectProblem(await patch(deferred, 0, Buffer.alloc(500)), 413, 'QuotaExceeded')
    expect(await offsetOf(deferred)).toBe(0)
    expect((await patch(deferred, 0, Buffer.alloc(300))).status).toBe(204)
    // 900 staged now: the first upload's last 200 bytes no longer fit.
    await expectProblem(await patch(first, 600, Buffer.alloc(200)), 413, 'QuotaExceeded')
    expect(await offsetOf(first)).toBe(600)
    // Terminating the deferred upload frees its room.
    expect((await h.fetch(deferred, { method: 'DELETE', headers: tus(h.admin) })).status).toBe(204)
    expect((await patch(first, 600, Buffer.alloc(200))).status).toBe(204)
    const usage = await h.fetch('/v1/buckets/shared', { token: h.admin })
    expect(await usage.json()).toMatchObject({ usedBytes: 800 })
  })

  it("refuses a deferred-length PATCH past the bucket's size limit before staging a byte", async () => {
    await start({}, { name: 'capped', maxFileSize: 1000 })
    const path = await create('capped', 'deferred.bin')
    expect((await patch(path, 0, Buffer.alloc(600))).status).toBe(204)
    await expectProblem(await patch(path, 600, Buffer.alloc(401)), 413, 'TooLarge')
    expect(await offsetOf(path)).toBe(600)
    // Declaring a length past the limit is refused too.
    await expectProblem(await patch(path, 600, Buffer.alloc(1), { 'Upload-Length': '1001' }), 413, 'TooLarge')
    expect(await offsetOf(path)).toBe(600)
  })

  it('holds all staged bytes to the service-wide cap', async () => {
    await start({ uploadLimits: { totalBytes: 1000 } })
    const tooBig = await h.fetch('/v1/uploads', {
      method: 'POST',
      headers: tus(h.admin, {
        'Upload-Length': '1001',
        'Upload-Metadata': metadataHeader({ bucket: 'documents', key: 'huge.bin' }),
      }),
    })
    await expectProblem(tooBig, 413, 'TooLarge')
    const first = await create('documents', 'a.bin', 900)
    expect((await patch(first, 0, Buffer.alloc(700))).status).toBe(204)
    const second = await create('documents', 'b.bin')
    await expectProblem(await patch(second, 0, Buffer.alloc(400)), 503, 'Unavailable')
    expect(await offsetOf(second)).toBe(0)
    // Once the first upload is stored, its staged bytes no longer count.
    expect((await patch(first, 700, Buffer.alloc(200))).status).toBe(204)
    expect((await patch(second, 0, Buffer.alloc(400))).status).toBe(204)
  })

  it('caps the uploads one credential may have open, even when it opens them all at once', async () => {
    await start({ uploadLimits: { sessionsPerCredential: 3 } })
    const scopes = [{ bucket: 'documents', permissions: ['read', 'write'] }]
    const attacker = await h.key(scopes)
    const open = (token: string, n: number) =>
      h.fetch('/v1/uploads', {
        method: 'POST',
        headers: tus(token, {
          'Upload-Length': '10',
          'Upload-Metadata': metadataHeader({ bucket: 'documents', key: `many/${n}.bin` }),
        }),
      })
    const answers = await Promise.all(Array.from({ length: 12 }, (_, n) => open(attacker, n)))
    const created = answers.filter((r) => r.status === 201)
    expect(created).toHaveLength(3)
    const refused = answers.find((r) => r.status !== 201) as Response
    await expectProblem(refused, 403, 'AccessDenied')
    const rows = await h.db.selectFrom('upload_sessions').select('id').execute()
    expect(rows).toHaveLength(3)
    // Another credential is not held to the attacker's count.
    expect((await open(await h.key(scopes), 99)).status).toBe(201)
    // Ending one of its uploads lets the credential open another.
    const path = new URL(created[0]?.headers.get('location') ?? '', `${h.url}/v1/uploads/`).pathname
    const ended = await h.fetch(path, { method: 'DELETE', headers: tus(attacker) })
    expect(ended.status).toBe(204)
    expect((await open(attacker, 100)).status).toBe(201)
  })
})

describe('tus staging limits in the configuration', () => {
  it('reads COFFER_UPLOAD_STAGING_MIB and COFFER_UPLOAD_SESSIONS, and refuses bad values', () => {
    const config = loadConfig({ COFFER_UPLOAD_STAGING_MIB: '2', COFFER_UPLOAD_SESSIONS: '5' })
    expect(config.uploadLimits).toEqual({ totalBytes: 2 * MiB, sessionsPerCredential: 5 })
    expect(loadConfig({}).uploadLimits).toBeUndefined()
    expect(() => loadConfig({ COFFER_UPLOAD_STAGING_MIB: '0', COFFER_UPLOAD_SESSIONS: 'many' })).toThrow(
      /COFFER_UPLOAD_STAGING_MIB must be[\s\S]*COFFER_UPLOAD_SESSIONS must be/,
    )
  })
})
