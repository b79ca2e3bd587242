import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from './harness.ts'
import { phonePhoto, putBytes } from './image-fixtures.ts'

const photo = (width: number, height: number, colour?: string) =>
  phonePhoto(width, height, colour === undefined ? {} : { colour })

/** Renders over real HTTP: the content origin's public and signed renders, and the API's. */
describe('image renders', () => {
  let h: Harness
  const content = (path: string, init: RequestInit = {}) => fetch(`${h.contentUrl}${path}`, init)
  const put = (path: string, body: Buffer, type?: string) => putBytes(h, path, body, type)
  const decode = async (response: Response) => sharp(Buffer.from(await response.arrayBuffer())).metadata()
  const renderRows = (key: string) => h.db.selectFrom('renders').selectAll().where('key', '=', key).execute()

  beforeAll(async () => {
    h = await startHarness('sqlite', { imageLimits: { maxQueued: 2 } })
    await put('avatars/objects/u1.jpg', await photo(800, 600))
    await put('documents/objects/p/photo.jpg', await photo(1000, 500))
  })
  afterAll(() => h?.close())

  it("serves the avatars preset's variants, negotiated from Accept, without metadata", async () => {
    const avif = await content('/render/avatars/u1.jpg?variant=thumb', {
      headers: { accept: 'image/avif,image/webp,*/*' },
    })
    expect(avif.status).toBe(200)
    expect(avif.headers.get('content-type')).toBe('image/avif')
    expect(avif.headers.get('vary')).toBe('Accept')
    expect(avif.headers.get('cache-control')).toBe('public, max-age=3600')
    expect(avif.headers.get('x-content-type-options')).toBe('nosniff')
    const meta = await decode(avif)
    expect([meta.width, meta.height, meta.exif]).toEqual([64, 64, undefined])
    const webp = await content('/render/avatars/u1.jpg?variant=small', { headers: { accept: 'image/webp' } })
    expect([webp.headers.get('content-type'), (await decode(webp)).width]).toEqual(['image/webp', 128])
    const plain = await content('/render/avatars/u1.jpg?variant=small&v=abc')
    expect(plain.headers.get('content-type')).toBe('image/jpeg')
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
  })

  it('answers again from the cache with the same ETag, and 304 to If-None-Match', async () => {
    const first = await content('/render/avatars/u1.jpg?variant=medium')
    const etag = first.headers.get('etag') ?? ''
    expect(etag).toMatch(/^"r[\w-]+"$/)
    const bytes = Buffer.from(await first.arrayBuffer())
    const second = await content('/render/avatars/u1.jpg?variant=medium')
    expect(second.headers.get('etag')).toBe(etag)
    expect(Buffer.from(await second.arrayBuffer()).equals(bytes)).toBe(true)
    const revalidated = await content('/render/avatars/u1.jpg?variant=medium', {
      headers: { 'if-none-match': etag },
    })
    expect(revalidated.status).toBe(304)
    expect(revalidated.headers.get('etag')).toBe(etag)
  })

  it('holds anonymous callers to the variants, and refuses bad parameters with a problem', async () => {
    const arbitrary = await content('/render/avatars/u1.jpg?w=300')
    expect(arbitrary.status).toBe(403)
    expect(await arbitrary.json()).toMatchObject({ code: 'AccessDenied' })
    for (const query of ['variant=huge', 'variant=thumb&w=5']) {
      expect((await content(`/render/avatars/u1.jpg?${query}`)).status, query).toBe(400)
    }
    const withKey = await h.fetch('/v1/buckets/avatars/render/u1.jpg?w=5000', { token: h.admin })
    expect([withKey.status, ((await withKey.json()) as { code: string }).code]).toEqual([
      400,
      'InvalidArgument',
    ])
  })

  it('renders any transform with credentials, as an attachment', async () => {
    const response = await h.fetch('/v1/buckets/avatars/render/u1.jpg?w=300&format=png', { token: h.admin })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toBe('attachment')
    const meta = await decode(response)
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 300, 225])
  })

  it("keeps a private bucket's renders behind a grant", async () => {
    expect((await content('/render/documents/p/photo.jpg?w=10')).status).toBe(404)
    expect((await h.fetch('/v1/buckets/documents/render/p/photo.jpg?w=10')).status).toBe(401)
    const signed = await h.fetch(
      '/v1/buckets/documents/sign',
      json(
        { key: 'p/photo.jpg', method: 'GET', transform: 'w=200,h=200,fit=contain,format=webp' },
        { token: h.admin },
      ),
    )
    expect(signed.status).toBe(200)
    const { url } = (await signed.json()) as { url: string }
    expect(url.startsWith(`${h.contentUrl}/render-signed/`)).toBe(true)
    const response = await fetch(url)
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/)
    const meta = await decode(response)
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 200, 200])
    // The transform is sealed in the signature: any change to it breaks the URL.
    const tampered = url.replace('w%3D200', 'w%3D2000')
    expect(tampered).not.toBe(url)
    expect((await fetch(tampered)).status).toBe(403)
    // A render URL is no download URL, and the other way round.
    expect((await fetch(url.replace('/render-signed/', '/signed/'))).status).toBe(403)
  })

  it('a signed render URL is refused for PUT and needs a transform that parses', async () => {
    const put = await h.fetch(
      '/v1/buckets/documents/sign',
      json({ key: 'p/photo.jpg', method: 'PUT', transform: 'w=1' }, { token: h.admin }),
    )
    expect(put.status).toBe(400)
    const bad = await h.fetch(
      '/v1/buckets/documents/sign',
      json({ key: 'p/photo.jpg', method: 'GET', transform: { q: 5 } }, { token: h.admin }),
    )
    expect(bad.status).toBe(400)
  })

  it('keeps the cache out of listings and quotas, and drops it when the source changes', async () => {
    await put('documents/objects/c/pic.jpg', await photo(400, 400, '#0000ff'))
    const render = () => h.fetch('/v1/buckets/documents/render/c/pic.jpg?w=50&format=png', { token: h.admin })
    const before = await render()
    const pixel = async (response: Response) => [
      ...(
        await sharp(Buffer.from(await response.arrayBuffer()))
          .raw()
          .toBuffer()
      ).subarray(0, 3),
    ]
    expect((await pixel(before))[2]).toBeGreaterThan(200)
    expect(await renderRows('c/pic.jpg')).toHaveLength(1)
    const listing = await h.fetch('/v1/buckets/documents/objects?prefix=c/', { token: h.admin })
    expect(((await listing.json()) as { objects: { key: string }[] }).objects.map((o) => o.key)).toEqual([
      'c/pic.jpg',
    ])
    const bucket = (await (await h.fetch('/v1/buckets/documents', { token: h.admin })).json()) as {
      usedObjects: number
    }
    expect(bucket.usedObjects).toBe(2)
    // Overwritten: the old render goes, and the next one shows the new picture under a new ETag.
    await put('documents/objects/c/pic.jpg', await photo(400, 400, '#ff0000'))
    expect(await renderRows('c/pic.jpg')).toHaveLength(0)
    const after = await render()
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'))
    expect((await pixel(after))[0]).toBeGreaterThan(200)
    expect(
      (await h.fetch('/v1/buckets/documents/objects/c/pic.jpg', { method: 'DELETE', token: h.admin })).status,
    ).toBe(204)
    expect(await renderRows('c/pic.jpg')).toHaveLength(0)
  })

  it('renders a new variant once for concurrent first requests', async () => {
    const responses = await Promise.all(
      Array.from({ length: 3 }, () =>
        h.fetch('/v1/buckets/documents/render/p/photo.jpg?w=77&format=jpeg', { token: h.admin }),
      ),
    )
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200])
    expect(new Set(responses.map((r) => r.headers.get('etag'))).size).toBe(1)
    const rows = (await renderRows('p/photo.jpg')).length
    expect(rows).toBeGreaterThanOrEqual(1)
  })

  it('answers bombs with 422 and non-images with 415', async () => {
    const bomb = Buffer.concat([
      Buffer.from('89504e470d0a1a0a0000000d49484452000186a0000186a00802000000', 'hex'),
      Buffer.from([0x2e, 0x2e, 0x2e, 0x2e]),
    ])
    await put('documents/objects/bomb.png', bomb, 'image/png')
    const response = await h.fetch('/v1/buckets/documents/render/bomb.png?w=10', { token: h.admin })
    expect([response.status, ((await response.json()) as { code: string }).code]).toEqual([
      422,
      'UnprocessableContent',
    ])
    await put('documents/objects/page.txt', Buffer.from('just text'), 'text/plain')
    expect((await h.fetch('/v1/buckets/documents/render/page.txt?w=10', { token: h.admin })).status).toBe(415)
    expect((await h.fetch('/v1/buckets/documents/render/none.jpg?w=10', { token: h.admin })).status).toBe(404)
  })
})
