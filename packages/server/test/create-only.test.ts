import { randomBytes } from 'node:crypto'
import type { HttpRequest, UploadOptions } from 'tus-js-client'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Harness, testStorages, VARIANTS } from './harness.ts'
import { CHUNK, runUpload, statusOf } from './tus-client.ts'

// Create-only copies, moves and resumable uploads (If-None-Match: *, Upload-Metadata ifNoneMatch):
// fs writes them atomically, S3 servers here are checked first by the service (see create-only-cases).
const storages = testStorages()

describe.each(VARIANTS.filter((v) => v.persistence === 'sqlite'))(
  'create-only writes over HTTP ($driver driver)',
  ({ driver, persistence }) => {
    let h: Harness
    const object = (key: string) => `/v1/buckets/documents/objects/${key}`
    const put = (key: string, body: string) => h.fetch(object(key), { method: 'PUT', token: h.admin, body })
    const text = async (key: string) => (await h.fetch(object(key), { token: h.admin })).text()
    const events = async (key: string) => {
      const audit = await h.fetch(`/v1/audit?bucket=documents&key=${key}`, { token: h.admin })
      return ((await audit.json()) as { events: { action: string }[] }).events.map((e) => e.action)
    }
    const state = async (prefix: string) => {
      const bucket = (await (await h.fetch('/v1/buckets/documents', { token: h.admin })).json()) as object
      const listing = await h.fetch(`/v1/buckets/documents/objects?prefix=${prefix}`, { token: h.admin })
      return { bucket, listing: await listing.json() }
    }
    const post = (
      operation: 'copy' | 'move',
      from: string,
      to: string,
      condition: Record<string, string> = { 'if-none-match': '*' },
    ) =>
      h.fetch(`/v1/buckets/documents/${operation}`, {
        method: 'POST',
        token: h.admin,
        headers: { 'content-type': 'application/json', ...condition },
        body: JSON.stringify({ from, to }),
      })

    /** A tus-js-client upload into `documents` that is expected to fail: its error. */
    const tusFailure = (body: Buffer, metadata: Record<string, string>, options: UploadOptions = {}) =>
      runUpload(body, {
        endpoint: `${h.url}/v1/uploads`,
        headers: { Authorization: `Bearer ${h.admin}` },
        metadata: { bucket: 'documents', ...metadata },
        ...options,
      }).then(
        () => undefined,
        (error: unknown) => error,
      )

    beforeAll(async () => {
      if (!(await storages.ready(driver))) return
      h = await storages.start(driver, persistence)
    })
    afterAll(() => h?.close())
    beforeEach(({ skip }) => storages.skipUnavailable(driver, skip))

    it('refuses a copy or move onto a taken name with 412, changing nothing', async () => {
      expect((await put('co/source.txt', 'source')).status).toBe(200)
      expect((await put('co/taken.txt', 'taken')).status).toBe(200)
      const before = { state: await state('co/'), source: await events('co/source.txt') }
      for (const operation of ['copy', 'move'] as const) {
        const refused = await post(operation, 'co/source.txt', 'co/taken.txt')
        expect(refused.status).toBe(412)
        expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/)
        expect(await refused.json()).toMatchObject({ status: 412, code: 'PreconditionFailed' })
      }
      expect(await text('co/taken.txt')).toBe('taken')
      expect(await text('co/source.txt')).toBe('source')
      expect(await state('co/')).toEqual(before.state)
      expect(await events('co/taken.txt')).toEqual(['object.put'])
      expect(await events('co/source.txt')).toEqual(before.source)
      const odd = await post('move', 'co/source.txt', 'co/taken.txt', { 'if-none-match': '"abc"' })
      expect(odd.status).toBe(400)
      expect(await text('co/taken.txt')).toBe('taken')
    })

    it('copies and moves onto a free name when create-only, and replaces without it', async () => {
      expect((await put('cf/a.txt', 'a')).status).toBe(200)
      expect((await post('copy', 'cf/a.txt', 'cf/b.txt')).status).toBe(200)
      expect((await post('move', 'cf/b.txt', 'cf/c.txt')).status).toBe(200)
      expect((await h.fetch(object('cf/b.txt'), { token: h.admin })).status).toBe(404)
      expect((await put('cf/d.txt', 'd')).status).toBe(200)
      expect((await post('move', 'cf/d.txt', 'cf/c.txt', {})).status).toBe(200)
      expect(await text('cf/c.txt')).toBe('d')
    })

    it('refuses a create-only tus upload onto a taken name at creation, before any byte', async () => {
      expect((await put('tus/taken.bin', 'kept')).status).toBe(200)
      const error = await tusFailure(randomBytes(CHUNK), { key: 'tus/taken.bin', ifNoneMatch: '*' })
      expect(statusOf(error)).toBe(412)
      expect(await text('tus/taken.bin')).toBe('kept')
      expect(await h.db.selectFrom('upload_sessions').selectAll().execute()).toEqual([])
    })

    it('fails a create-only tus upload with 412 when the name is taken meanwhile, storing nothing', async () => {
      let raced = false
      const stored = await h.stored('documents')
      const error = await tusFailure(
        randomBytes(3 * CHUNK),
        { key: 'tus/race.bin', ifNoneMatch: '*' },
        {
          // Another writer takes the name after the creation's check, before the upload ends.
          onBeforeRequest: async (request: HttpRequest) => {
            if (request.getMethod() !== 'PATCH' || raced) return
            raced = true
            expect((await put('tus/race.bin', 'the other writer')).status).toBe(200)
          },
        },
      )
      expect(raced).toBe(true)
      expect(statusOf(error)).toBe(412)
      expect(await text('tus/race.bin')).toBe('the other writer')
      expect(await events('tus/race.bin')).toEqual(['object.put'])
      expect(await h.db.selectFrom('upload_sessions').selectAll().execute()).toEqual([])
      // The other writer's object is the one thing added: no temp file, staged part or second copy.
      const added = (await h.stored('documents')).filter((name) => !stored.includes(name))
      expect(added).toHaveLength(1)
      expect(added[0]).toMatch(/tus\/race\.bin/)
    })

    it('refuses an ifNoneMatch other than "*" at creation', async () => {
      const error = await tusFailure(randomBytes(10), { key: 'tus/odd.bin', ifNoneMatch: '"etag"' })
      expect(statusOf(error)).toBe(400)
      expect((await h.fetch(object('tus/odd.bin'), { token: h.admin })).status).toBe(404)
    })
  },
)
