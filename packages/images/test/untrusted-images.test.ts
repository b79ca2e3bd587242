import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createImageRenderer, parseTransform } from '../src/index.ts'
import * as images from './test-images.ts'

let spoolDir: string
beforeAll(async () => {
  spoolDir = await mkdtemp(join(tmpdir(), 'coffer-untrusted-'))
})
afterAll(() => rm(spoolDir, { recursive: true, force: true }))

const render = (source: Buffer, transform = '', options: { accept?: string; allowSvg?: boolean } = {}) =>
  createImageRenderer({ tempDir: spoolDir }).render(source, {
    transform: parseTransform(transform),
    ...options,
  })

/** No EXIF (GPS lives there), XMP or IPTC in an output, and sRGB pixels. */
async function expectClean(data: Buffer) {
  const meta = await sharp(data).metadata()
  expect(meta.exif).toBeUndefined()
  expect(meta.xmp).toBeUndefined()
  expect(meta.iptc).toBeUndefined()
  expect(meta.orientation).toBeUndefined()
  expect(meta.space).toBe('srgb')
  return meta
}

describe('untrusted images', () => {
  test('an EXIF-rotated JPEG comes out upright, without its EXIF, GPS and XMP', async () => {
    const source = await images.rotatedJpegWithGps()
    expect((await sharp(source).metadata()).exif?.toString('latin1')).toContain('Coffer test')
    for (const transform of ['', 'w=100', 'format=webp', 'format=png']) {
      const out = await render(source, transform)
      const meta = await expectClean(out.data)
      expect(meta.height).toBeGreaterThan(meta.width ?? Infinity) // stored 300×200, shown 200×300
    }
    expect((await render(source, 'w=100')).height).toBe(150)
  })

  test('a CMYK JPEG comes out in sRGB', async () => {
    const source = await images.cmykJpeg()
    expect((await sharp(source).metadata()).space).toBe('cmyk')
    const out = await render(source, 'w=60,format=jpeg')
    const meta = await expectClean(out.data)
    expect([meta.width, meta.height, meta.channels]).toEqual([60, 40, 3])
  })

  test('a 16-bit PNG comes out as 8-bit sRGB', async () => {
    const source = await images.png16()
    expect((await sharp(source).metadata()).depth).toBe('ushort')
    const out = await render(source, 'format=png')
    const meta = await expectClean(out.data)
    expect([meta.format, meta.depth, meta.width, meta.height]).toEqual(['png', 'uchar', 64, 48])
  })

  test.each(['gif', 'webp'] as const)(
    'an animated %s stays animated, or gives its first frame',
    async (kind) => {
      const source = await images.animated(kind)
      const out = await render(source, 'w=20', { accept: 'image/avif,image/webp' })
      const meta = await sharp(out.data).metadata()
      expect([out.format, out.pages, meta.pages, meta.width, out.height]).toEqual(['webp', 3, 3, 20, 15])
      const gif = await render(source, 'w=20,format=origin')
      expect([gif.format, (await sharp(gif.data).metadata()).pages]).toEqual([kind, 3])
      const first = await render(source, 'w=20,frame=first', { accept: 'image/avif' })
      expect([first.format, first.pages, (await sharp(first.data).metadata()).pages ?? 1]).toEqual([
        'avif',
        1,
        1,
      ])
      // The first frame of each test animation has red 0; the others have more.
      const still = await render(source, 'frame=first,format=png')
      const { data } = await sharp(still.data).raw().toBuffer({ resolveWithObject: true })
      expect(data[0]).toBeLessThan(20)
    },
  )

  test('a 1×60000 strip never gives an output side over 4096', async () => {
    const source = await images.strip()
    for (const transform of ['', 'w=200', 'h=100', 'w=200,h=200,fit=outside', 'w=4096,h=4096,fit=outside']) {
      const out = await render(source, `${transform},format=png`)
      const meta = await sharp(out.data).metadata()
      expect(meta.width).toBeLessThanOrEqual(4096)
      expect(meta.height).toBeLessThanOrEqual(4096)
      expect(meta.width).toBeGreaterThanOrEqual(1)
    }
  })

  test('a PNG claiming 100000×100000 is refused from its header: 422, nothing decoded', async () => {
    const bomb = images.pngBomb()
    expect(bomb.length).toBeLessThan(2000)
    const renderer = createImageRenderer({ tempDir: spoolDir })
    const refused = expect.objectContaining({
      code: 'UnprocessableContent',
      message: expect.stringContaining('100000×100000'),
    })
    await expect(renderer.render(bomb, { transform: {} })).rejects.toEqual(refused)
    await expect(
      renderer.render(Readable.from([bomb]), { transform: parseTransform('w=10') }),
    ).rejects.toEqual(refused)
    await expect(renderer.probe(bomb)).rejects.toEqual(refused)
    await expect(renderer.stripMetadata(bomb)).rejects.toEqual(refused)
  })

  test('the pixel limit is configurable and counts every frame that is decoded', async () => {
    const renderer = createImageRenderer({ tempDir: spoolDir, maxPixels: 40 * 30 * 2 })
    const source = await images.animated('gif', 3)
    await expect(renderer.render(source, { transform: {} })).rejects.toMatchObject({
      code: 'UnprocessableContent',
    })
    expect((await renderer.render(source, { transform: parseTransform('frame=first') })).pages).toBe(1)
  })

  test('a truncated JPEG is 422, with a message that names no path', async () => {
    const error = await render(await images.truncatedJpeg(), 'w=100').catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'UnprocessableContent',
      message: 'the image is damaged or truncated',
    })
    expect(await readdir(spoolDir)).toEqual([])
  })

  test('HTML named .png is 415', async () => {
    await expect(render(images.htmlNamedPng, 'w=10')).rejects.toMatchObject({ code: 'UnsupportedMediaType' })
    await expect(render(Buffer.alloc(0))).rejects.toMatchObject({ code: 'UnsupportedMediaType' })
  })

  test('SVG is refused unless allowed, and then rasterised without its script', async () => {
    await expect(render(images.svg)).rejects.toMatchObject({
      code: 'UnsupportedMediaType',
      message: expect.stringContaining('SVG'),
    })
    const out = await render(images.svg, 'w=100', { allowSvg: true, accept: '*/*' })
    expect([out.format, out.width, out.height]).toEqual(['png', 100, 80])
  })

  test('a format Coffer does not decode (PPM, from a file) is 415', async () => {
    const ppm = Buffer.concat([Buffer.from('P6\n4 4\n255\n'), Buffer.alloc(48, 100)])
    const renderer = createImageRenderer({ tempDir: spoolDir })
    await expect(renderer.render(Readable.from([ppm]), { transform: {} })).rejects.toMatchObject({
      code: 'UnsupportedMediaType',
    })
  })
})
