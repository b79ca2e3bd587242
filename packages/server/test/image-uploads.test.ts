import sharp from 'sharp'
import { thumbHashToApproximateAspectRatio } from 'thumbhash'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from './harness.ts'
import { phonePhoto, putBytes, type Uploaded } from './image-fixtures.ts'

const phone = () => phonePhoto(300, 200, { orientation: 6 })

/** Uploads of images: their size and placeholder in the object info and the index, and stripping. */
describe('image uploads', () => {
  let h: Harness
  const put = (path: string, body: Buffer, type?: string) => putBytes(h, path, body, type)

  beforeAll(async () => {
    h = await startHarness('sqlite')
  })
  afterAll(() => h?.close())

  it('strips EXIF and GPS from avatars before they are stored, orientation applied', async () => {
    const original = await phone()
    const info = await put('avatars/objects/me.jpg', original)
    expect(info.image).toMatchObject({ width: 200, height: 300 })
    expect(thumbHashToApproximateAspectRatio(Buffer.from(info.image?.thumbhash ?? '', 'base64'))).toBeCloseTo(
      2 / 3,
      1,
    )
    const stored = await fetch(`${h.contentUrl}/public/avatars/me.jpg`)
    const meta = await sharp(Buffer.from(await stored.arrayBuffer())).metadata()
    expect([meta.format, meta.width, meta.height, meta.exif, meta.orientation]).toEqual([
      'jpeg',
      200,
      300,
      undefined,
      undefined,
    ])
    expect(Number(stored.headers.get('content-length'))).toBe(info.size)
  })

  it('keeps the original where the bucket does not strip, and still records its size', async () => {
    const original = await phone()
    const info = await put('documents/objects/pics/me.jpg', original)
    expect(info.size).toBe(original.length)
    expect(info.image).toMatchObject({ width: 200, height: 300 })
    await put(
      'documents/objects/pics/wide.png',
      await sharp({ create: { width: 900, height: 100, channels: 3, background: '#fff' } })
        .png()
        .toBuffer(),
      'image/png',
    )
    await put('documents/objects/pics/notes.txt', Buffer.from('no image'), 'text/plain')
    const listed = await h.fetch('/v1/buckets/documents/objects?prefix=pics/&minWidth=500', {
      token: h.admin,
    })
    const { objects } = (await listed.json()) as { objects: Uploaded[] }
    expect(objects.map((o) => [o.key, o.image?.width, o.image?.height])).toEqual([
      ['pics/wide.png', 900, 100],
    ])
    const all = await h.fetch('/v1/buckets/documents/objects?prefix=pics/', { token: h.admin })
    const images = ((await all.json()) as { objects: Uploaded[] }).objects.map((o) => [o.key, o.image?.width])
    expect(images).toEqual([
      ['pics/me.jpg', 200],
      ['pics/notes.txt', undefined],
      ['pics/wide.png', 900],
    ])
  })

  it('refuses an avatar that claims to be an image and does not decode', async () => {
    const truncated = (await phone()).subarray(0, 400)
    const response = await h.fetch('/v1/buckets/avatars/objects/broken.jpg', {
      ...{ method: 'PUT', token: h.admin, headers: { 'content-type': 'image/jpeg' } },
      body: new Uint8Array(truncated),
    })
    expect(response.status).toBe(422)
    expect((await h.fetch('/v1/buckets/avatars/objects/broken.jpg', { token: h.admin })).status).toBe(404)
  })
})
