import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Harness, json, testStorages, VARIANTS } from './harness.ts'

const storages = testStorages()

describe.each(VARIANTS)(
  'buckets and keys administration ($driver driver, $persistence index)',
  ({ driver, persistence }) => {
    let h: Harness

    beforeAll(async () => {
      if (!(await storages.ready(driver))) return
      h = await storages.start(driver, persistence)
    })
    afterAll(() => h?.close())
    beforeEach(({ skip }) => storages.skipUnavailable(driver, skip))

    it('starts with the four preset buckets and their policies', async () => {
      const { buckets } = (await (await h.fetch('/v1/buckets', { token: h.admin })).json()) as {
        buckets: Record<string, unknown>[]
      }
      expect(buckets.map((b) => b.name)).toEqual(['avatars', 'documents', 'exports', 'prototypes'])
      expect(buckets[0]).toMatchObject({
        public: true,
        maxFileSize: 5 * 1024 * 1024,
        allowedTypes: ['image/*'],
      })
      expect(buckets[1]).toMatchObject({ public: false })
      expect(buckets[1]).not.toHaveProperty('maxFileSize')
    })

    it('creates, reads, changes and deletes a bucket', async () => {
      const body = {
        name: 'reports-2026',
        maxFileSize: 1000,
        allowedTypes: ['text/*'],
        quotaBytes: 10_000_000_000,
      }
      const created = await h.fetch('/v1/buckets', json(body, { token: h.admin }))
      expect(created.status).toBe(201)
      expect(await created.json()).toMatchObject({ ...body, public: false })
      expect((await h.fetch('/v1/buckets', json({ name: 'reports-2026' }, { token: h.admin }))).status).toBe(
        409,
      )

      const patched = await h.fetch(
        '/v1/buckets/reports-2026',
        json(
          { public: true, maxFileSize: null, allowedTypes: ['text/csv'] },
          { method: 'PATCH', token: h.admin },
        ),
      )
      expect(patched.status).toBe(200)
      const bucket = (await patched.json()) as Record<string, unknown>
      expect(bucket).toMatchObject({ public: true, allowedTypes: ['text/csv'], quotaBytes: 10_000_000_000 })
      expect(bucket).not.toHaveProperty('maxFileSize')
      expect(await (await h.fetch('/v1/buckets/reports-2026', { token: h.admin })).json()).toEqual(bucket)

      const objectUrl = '/v1/buckets/reports-2026/objects/q1.csv'
      await h.fetch(objectUrl, {
        method: 'PUT',
        token: h.admin,
        body: 'a,b\n1,2\n',
        headers: { 'content-type': 'text/csv' },
      })
      const notEmpty = await h.fetch('/v1/buckets/reports-2026', { method: 'DELETE', token: h.admin })
      expect(notEmpty.status).toBe(412)
      await h.fetch(objectUrl, { method: 'DELETE', token: h.admin })
      expect((await h.fetch('/v1/buckets/reports-2026', { method: 'DELETE', token: h.admin })).status).toBe(
        204,
      )
      expect((await h.fetch('/v1/buckets/reports-2026', { token: h.admin })).status).toBe(404)
      expect((await h.fetch(objectUrl, { method: 'PUT', token: h.admin, body: 'x' })).status).toBe(404)
    })

    it('refuses bad names and bad policies with 400', async () => {
      for (const body of [
        { name: 'Upper' },
        { name: 'a' },
        { name: 'has/slash' },
        { name: 'ok-name', maxFileSize: -1 },
        { name: 'ok-name', allowedTypes: ['not a type'] },
        { name: 'ok-name', extra: true },
      ]) {
        const response = await h.fetch('/v1/buckets', json(body, { token: h.admin }))
        expect(response.status, JSON.stringify(body)).toBe(400)
        expect(((await response.json()) as { code: string }).code).toBe('InvalidArgument')
      }
    })

    it('shows a scoped key only its buckets, and lets a bucket admin change only its bucket', async () => {
      const token = await h.key([{ bucket: 'exports', permissions: ['admin'] }])
      const { buckets } = (await (await h.fetch('/v1/buckets', { token })).json()) as {
        buckets: { name: string }[]
      }
      expect(buckets.map((b) => b.name)).toEqual(['exports'])
      const own = await h.fetch('/v1/buckets/exports', json({ maxFileSize: 42 }, { method: 'PATCH', token }))
      expect(await own.json()).toMatchObject({ maxFileSize: 42 })
      expect(
        (await h.fetch('/v1/buckets/documents', json({ public: true }, { method: 'PATCH', token }))).status,
      ).toBe(403)
      expect((await h.fetch('/v1/buckets', json({ name: 'new-one' }, { token }))).status).toBe(403)
      expect(
        (
          await h.fetch(
            '/v1/keys',
            json({ name: 'x', scopes: [{ bucket: '*', permissions: ['admin'] }] }, { token }),
          )
        ).status,
      ).toBe(403)
    })

    it('validates the scopes of new keys', async () => {
      for (const scopes of [
        [],
        [{ bucket: 'documents', permissions: [] }],
        [{ bucket: 'BAD', permissions: ['read'] }],
        [{ bucket: 'documents', prefix: '../', permissions: ['read'] }],
      ]) {
        const response = await h.fetch('/v1/keys', json({ name: 'x', scopes }, { token: h.admin }))
        expect(response.status, JSON.stringify(scopes)).toBe(400)
      }
      const past = await h.fetch(
        '/v1/keys',
        json(
          { name: 'x', scopes: [{ bucket: '*', permissions: ['read'] }], expiresAt: '2000-01-01T00:00:00Z' },
          { token: h.admin },
        ),
      )
      expect(past.status).toBe(400)
    })
  },
)
