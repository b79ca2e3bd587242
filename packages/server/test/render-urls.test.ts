import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from './harness.ts'
import { phonePhoto, putBytes } from './image-fixtures.ts'

type Signed = { urls: { key: string; url: string }[]; expiresAt: string }

/** `POST /v1/buckets/:bucket/render-urls`: a page of signed render URLs in one request, authorised as `sign`. */
describe('signed render URLs in a batch', () => {
  let h: Harness
  const sign = (bucket: string, body: unknown, token: string) =>
    h.fetch(`/v1/buckets/${bucket}/render-urls`, json(body, { token }))

  beforeAll(async () => {
    h = await startHarness('sqlite')
    for (const key of ['p/a.jpg', 'p/b.jpg', 'q/c.jpg'])
      await putBytes(h, `documents/objects/${key}`, await phonePhoto(300, 200))
  })
  afterAll(() => h?.close())

  it('signs every key with the transform sealed, in the order asked', async () => {
    const keys = ['p/b.jpg', 'p/a.jpg', 'q/c.jpg']
    const response = await sign('documents', { keys, transform: 'w=40,h=40,format=png' }, h.admin)
    expect(response.status).toBe(200)
    const { urls, expiresAt } = (await response.json()) as Signed
    expect(urls.map((u) => u.key)).toEqual(keys)
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now())
    for (const { url } of urls) {
      expect(url.startsWith(`${h.contentUrl}/render-signed/`)).toBe(true)
      const rendered = await fetch(url)
      expect(rendered.status).toBe(200)
      const meta = await sharp(Buffer.from(await rendered.arrayBuffer())).metadata()
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 40, 40])
    }
    // Each URL is bound to its own key: one key's signature does not open another's render.
    const [first, second] = urls
    const swapped = `${second?.url.split('?')[0]}?${first?.url.split('?')[1]}`
    expect((await fetch(swapped)).status).toBe(403)
  })

  it('a scoped key signs inside its scope only, and a batch with one key outside is refused whole', async () => {
    const scoped = await h.key([{ bucket: 'documents', prefix: 'p/', permissions: ['read', 'list', 'sign'] }])
    const inside = await sign('documents', { keys: ['p/a.jpg', 'p/b.jpg'], transform: 'w=20' }, scoped)
    expect(inside.status).toBe(200)
    const mixed = await sign('documents', { keys: ['p/a.jpg', 'q/c.jpg'], transform: 'w=20' }, scoped)
    expect(mixed.status).toBe(403)
    expect(await mixed.json()).toMatchObject({ code: 'AccessDenied' })
    const readOnly = await h.key([{ bucket: 'documents', prefix: 'p/', permissions: ['read', 'list'] }])
    expect((await sign('documents', { keys: ['p/a.jpg'], transform: 'w=20' }, readOnly)).status).toBe(403)
    const noToken = await h.fetch(
      '/v1/buckets/documents/render-urls',
      json({ keys: ['p/a.jpg'], transform: 'w=20' }),
    )
    expect(noToken.status).toBe(401)
  })

  it('refuses bad batches: no keys, too many, a bad transform, a bucket that renders nothing', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => `p/${i}.jpg`)
    for (const body of [
      { keys: [], transform: 'w=20' },
      { keys: many, transform: 'w=20' },
      { keys: ['p/a.jpg'], transform: 'w=99999' },
      { keys: ['p/../x.jpg'], transform: 'w=20' },
    ]) {
      const response = await sign('documents', body, h.admin)
      expect(response.status, JSON.stringify(body).slice(0, 60)).toBe(400)
    }
    const created = await h.fetch('/v1/buckets', json({ name: 'plain', renders: 'none' }, { token: h.admin }))
    expect(created.status).toBe(201)
    await putBytes(h, 'plain/objects/a.jpg', await phonePhoto(30, 30))
    const refused = await sign('plain', { keys: ['a.jpg'], transform: 'w=20' }, h.admin)
    expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([403, 'AccessDenied'])
  })
})
