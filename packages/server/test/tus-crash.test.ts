import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { filesUnder } from './harness.ts'
import { type Started, startProcess } from './spawned-service.ts'

/** tus's Upload-Metadata: comma-separated `name base64(value)` pairs. */
const metadataHeader = (meta: Record<string, string>) =>
  Object.entries(meta)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',')

/**
 * Issue 22's crash, against the real process as `npm start` runs it: a tus upload whose finish was
 * refused before its staged file was read killed the process (an unhandled ENOENT from the read
 * stream opened for it, after the file was removed). Each way in is tried, then the process must
 * still be alive and answering.
 */
describe('a tus finish refused before the staged file is read (spawned service)', () => {
  const adminKey = `admin-${randomBytes(24).toString('hex')}`
  let dataDir: string
  let service: Started
  const request = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    headers.set('authorization', `Bearer ${adminKey}`)
    return fetch(service.url + path, { ...init, headers })
  }
  const tus = (extra: Record<string, string> = {}) => ({ 'Tus-Resumable': '1.0.0', ...extra })
  const createBucket = async (policy: Record<string, unknown>) => {
    const response = await request('/v1/buckets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(policy),
    })
    expect(response.status).toBe(201)
  }
  const create = (meta: Record<string, string>, length: Record<string, string>) =>
    request('/v1/uploads', {
      method: 'POST',
      headers: tus({ ...length, 'Upload-Metadata': metadataHeader(meta) }),
    })
  const patch = (location: string, offset: number, body: string, extra: Record<string, string> = {}) =>
    request(new URL(location, `${service.url}/v1/uploads/`).pathname, {
      method: 'PATCH',
      headers: tus({
        'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream',
        ...extra,
      }),
      body,
    })

  /**
   * The process has not exited, and answers a request after the failure had time to strike; nothing
   * of the refused upload stays staged.
   */
  async function expectAlive(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(service.child.exitCode).toBeNull()
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200)
    expect(await filesUnder(join(dataDir, 'uploads'))).toEqual([])
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'coffer-tus-crash-'))
    service = await startProcess({ COFFER_DATA_DIR: dataDir, COFFER_ADMIN_KEY: adminKey })
  })
  afterAll(async () => {
    if (service?.child.exitCode === null) {
      service.child.kill('SIGTERM')
      await service.exited
    }
    await rm(dataDir, { recursive: true, force: true })
  })

  it('with a byte quota and Upload-Defer-Length', async () => {
    await createBucket({ name: 'quota', quotaBytes: 4 })
    const created = await create({ bucket: 'quota', key: 'deferred.bin' }, { 'Upload-Defer-Length': '1' })
    expect(created.status).toBe(201)
    const location = created.headers.get('location') ?? ''
    const last = await patch(location, 0, 'hello', { 'Upload-Length': '5' })
    expect(last.status).toBe(413)
    expect(await last.json()).toMatchObject({ code: 'QuotaExceeded' })
    // Refused before its bytes were staged, the upload stays for its client to end.
    const path = new URL(location, `${service.url}/v1/uploads/`).pathname
    expect((await request(path, { method: 'DELETE', headers: tus() })).status).toBe(204)
    await expectAlive()
  })

  it('with an object quota filled while the upload was in progress', async () => {
    await createBucket({ name: 'objects', quotaObjects: 1 })
    const created = await create({ bucket: 'objects', key: 'late.bin' }, { 'Upload-Length': '5' })
    expect(created.status).toBe(201)
    const put = await request('/v1/buckets/objects/objects/first.bin', { method: 'PUT', body: 'x' })
    expect(put.status).toBe(200)
    const last = await patch(created.headers.get('location') ?? '', 0, 'hello')
    expect(last.status).toBe(413)
    expect(await last.json()).toMatchObject({ code: 'QuotaExceeded' })
    await expectAlive()
  })

  it('with a key segment of 255 bytes, refused at creation now', async () => {
    const created = await create(
      { bucket: 'documents', key: `x/${'a'.repeat(255)}` },
      { 'Upload-Length': '5' },
    )
    // Before the fix, creation accepted it and the finish failed: send the bytes either way.
    if (created.status === 201) await patch(created.headers.get('location') ?? '', 0, 'hello')
    expect(created.status).toBe(400)
    expect(await created.json()).toMatchObject({ code: 'InvalidKey' })
    await expectAlive()
  })
})

describe('a tus creation of a non-Latin key (spawned service)', () => {
  it('answers 201 with the key percent-encoded, and a failed creation leaves nothing staged', async () => {
    const adminKey = `admin-${randomBytes(24).toString('hex')}`
    const dataDir = await mkdtemp(join(tmpdir(), 'coffer-tus-latin-'))
    const service = await startProcess({ COFFER_DATA_DIR: dataDir, COFFER_ADMIN_KEY: adminKey })
    try {
      const headers = { authorization: `Bearer ${adminKey}`, 'tus-resumable': '1.0.0' }
      const meta = metadataHeader({ bucket: 'documents', key: 'фото.txt' })
      const created = await fetch(`${service.url}/v1/uploads`, {
        method: 'POST',
        headers: { ...headers, 'upload-length': '5', 'upload-metadata': meta },
      })
      expect(created.status).toBe(201)
      expect(decodeURIComponent(created.headers.get('x-coffer-key') ?? '')).toBe('фото.txt')
      const path = new URL(created.headers.get('location') ?? '', `${service.url}/v1/uploads/`).pathname
      expect((await fetch(service.url + path, { method: 'DELETE', headers })).status).toBe(204)
      // Refused by tus itself (both lengths): no session, no staged file.
      const refused = await fetch(`${service.url}/v1/uploads`, {
        method: 'POST',
        headers: { ...headers, 'upload-length': '5', 'upload-defer-length': '1', 'upload-metadata': meta },
      })
      expect(refused.status).toBe(400)
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(await filesUnder(join(dataDir, 'uploads'))).toEqual([])
      expect(service.child.exitCode).toBeNull()
    } finally {
      service.child.kill('SIGTERM')
      await service.exited
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
