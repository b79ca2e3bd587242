import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from './harness.ts'

/** tus's Upload-Metadata: comma-separated `name base64(value)` pairs. */
const metadataHeader = (meta: Record<string, string>) =>
  Object.entries(meta)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',')

/**
 * Issue 22's tus findings, in process: a finish refused before the staged file is read, keys the
 * storage cannot hold, non-Latin keys in headers, tus's own text/plain refusals and CORS headers.
 */
describe('tus answers (issue 22)', () => {
  let h: Harness
  const tus = (extra: Record<string, string> = {}) => ({
    Authorization: `Bearer ${h.admin}`,
    'Tus-Resumable': '1.0.0',
    ...extra,
  })
  const sessions = () => h.db.selectFrom('upload_sessions').selectAll().execute()

  function create(meta: Record<string, string>, headers: Record<string, string> = { 'Upload-Length': '5' }) {
    return h.fetch('/v1/uploads', {
      method: 'POST',
      headers: tus({ ...headers, 'Upload-Metadata': metadataHeader(meta) }),
    })
  }
  const pathOf = (response: Response) =>
    new URL(response.headers.get('location') ?? '', `${h.url}/v1/uploads/`).pathname
  const patch = (path: string, offset: number, body: string, extra: Record<string, string> = {}) =>
    h.fetch(path, {
      method: 'PATCH',
      headers: tus({
        'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream',
        ...extra,
      }),
      body,
    })

  async function expectProblem(response: Response, status: number, code: string) {
    expect(response.status).toBe(status)
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await response.json()).toMatchObject({ status, code })
  }

  beforeAll(async () => {
    h = await startHarness('sqlite')
  })
  afterAll(() => h?.close())

  it('answers a finish refused before the staged file is read, and nothing fails later', async () => {
    const bucket = await h.fetch('/v1/buckets', json({ name: 'one', quotaObjects: 1 }, { token: h.admin }))
    expect(bucket.status).toBe(201)
    const created = await create({ bucket: 'one', key: 'late.bin' })
    expect(created.status).toBe(201)
    // The quota fills up while the upload is in progress: its finish is refused before any read.
    const put = await h.fetch('/v1/buckets/one/objects/first.bin', {
      method: 'PUT',
      token: h.admin,
      body: 'x',
    })
    expect(put.status).toBe(200)
    await expectProblem(await patch(pathOf(created), 0, 'hello'), 413, 'QuotaExceeded')
    expect(await sessions()).toEqual([])
    // A stream left behind would fail on its own after the staged file went: give it the chance.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect((await h.fetch('/healthz')).status).toBe(200)
  })

  it('refuses at creation a key the storage cannot hold (fs: a 255-byte segment)', async () => {
    const response = await create({ bucket: 'documents', key: `long/${'a'.repeat(255)}.bin` })
    await expectProblem(response, 400, 'InvalidKey')
    // A key of 1020 bytes fits the key rules, but not under its bucket's name in the storage.
    const long = `${Array(5).fill('k'.repeat(199)).join('/')}/${'k'.repeat(20)}`
    await expectProblem(await create({ bucket: 'documents', key: long }), 400, 'InvalidKey')
    expect(await sessions()).toEqual([])
  })

  it('sends non-Latin keys percent-encoded in X-Coffer-Key and stores them', async () => {
    const created = await create({ bucket: 'documents', key: 'фото/фото.txt' })
    expect(created.status).toBe(201)
    const header = created.headers.get('x-coffer-key') ?? ''
    expect(header).toBe('%D1%84%D0%BE%D1%82%D0%BE/%D1%84%D0%BE%D1%82%D0%BE.txt')
    expect(decodeURIComponent(header)).toBe('фото/фото.txt')
    const done = await patch(pathOf(created), 0, 'hello')
    expect(done.status).toBe(204)
    expect(decodeURIComponent(done.headers.get('x-coffer-key') ?? '')).toBe('фото/фото.txt')
    const stored = await h.fetch(
      `/v1/buckets/documents/objects/${encodeURIComponent('фото')}/${encodeURIComponent('фото.txt')}`,
      {
        token: h.admin,
      },
    )
    expect(await stored.text()).toBe('hello')
    const named = await create({ bucket: 'documents', prefix: 'альбом', filename: 'фото.txt' })
    expect(named.status).toBe(201)
    expect(decodeURIComponent(named.headers.get('x-coffer-key') ?? '')).toMatch(/^альбом\/.*foto\.txt$/)
    expect((await h.fetch(pathOf(named), { method: 'DELETE', headers: tus() })).status).toBe(204)
    expect(await sessions()).toEqual([])
  })

  it('leaves no session behind when tus refuses a creation', async () => {
    await expectProblem(
      await create({ bucket: 'documents', key: 'bad.bin' }, { 'Upload-Length': '-1' }),
      400,
      'InvalidArgument',
    )
    const huge = { 'Upload-Length': '99999999999999999' }
    await expectProblem(await create({ bucket: 'documents', key: 'bad.bin' }, huge), 400, 'InvalidArgument')
    const both = { 'Upload-Length': '5', 'Upload-Defer-Length': '1' }
    await expectProblem(await create({ bucket: 'documents', key: 'bad.bin' }, both), 400, 'InvalidArgument')
    expect(await sessions()).toEqual([])
  })

  it('refuses Upload-Concat with a 400 problem document', async () => {
    const response = await create(
      { bucket: 'documents', key: 'part.bin' },
      { 'Upload-Length': '5', 'Upload-Concat': 'partial' },
    )
    await expectProblem(response, 400, 'InvalidArgument')
    expect(await sessions()).toEqual([])
  })

  it("answers tus's own refusals as problem documents", async () => {
    const created = await create({ bucket: 'documents', key: 'refusals.bin' })
    const path = pathOf(created)
    const noVersion = await h.fetch(path, { method: 'HEAD', headers: { Authorization: `Bearer ${h.admin}` } })
    expect(noVersion.status).toBe(412)
    expect(noVersion.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    const noOffset = await h.fetch(path, {
      method: 'PATCH',
      headers: tus({ 'Content-Type': 'application/offset+octet-stream' }),
      body: 'x',
    })
    await expectProblem(noOffset, 400, 'InvalidArgument')
    const wrongType = await patch(path, 0, 'x', { 'Content-Type': 'text/plain' })
    await expectProblem(wrongType, 400, 'InvalidArgument')
    const conflict = await patch(path, 3, 'x')
    await expectProblem(conflict, 409, 'Conflict')
    expect(conflict.headers.get('tus-resumable')).toBe('1.0.0')
    expect((await h.fetch(path, { method: 'DELETE', headers: tus() })).status).toBe(204)
  })

  it('sends no CORS headers on tus answers, as the rest of the API', async () => {
    const origin = { Origin: 'https://elsewhere.example' }
    const api = await h.fetch('/v1/buckets', { token: h.admin, headers: origin })
    expect(api.headers.get('access-control-allow-origin')).toBeNull()
    const options = await h.fetch('/v1/uploads', { method: 'OPTIONS', headers: origin })
    expect(options.status).toBe(204)
    expect(options.headers.get('tus-version')).toBe('1.0.0')
    const created = await create(
      { bucket: 'documents', key: 'cors.bin' },
      { 'Upload-Length': '5', ...origin },
    )
    expect(created.status).toBe(201)
    const head = await h.fetch(pathOf(created), { method: 'HEAD', headers: tus(origin) })
    for (const response of [options, created, head]) {
      const names = [...response.headers.keys()].filter((name) => name.startsWith('access-control-'))
      expect(names).toEqual([])
    }
    expect((await h.fetch(pathOf(created), { method: 'DELETE', headers: tus() })).status).toBe(204)
  })
})
