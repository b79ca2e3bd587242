import sharp from 'sharp'
import { thumbHashToApproximateAspectRatio, thumbHashToRGBA } from 'thumbhash'
import { describe, expect, test } from 'vitest'
import { createImageRenderer } from '../src/index.ts'
import * as images from './test-images.ts'

const renderer = createImageRenderer()

describe('probe', () => {
  test('gives the displayed size and a ThumbHash that decodes to the picture', async () => {
    const probe = await renderer.probe(await images.rotatedJpegWithGps())
    expect(probe).toMatchObject({ format: 'jpeg', width: 200, height: 300, pages: 1 })
    const hash = Buffer.from(probe.thumbhash, 'base64')
    expect(hash.length).toBeLessThan(40)
    expect(thumbHashToApproximateAspectRatio(hash)).toBeCloseTo(200 / 300, 1)
    const { rgba } = thumbHashToRGBA(hash)
    // The photo is mostly orange (r 200, g 120, b 40): the placeholder's average says so too.
    const mid = (rgba.length / 8) * 4
    expect(rgba[mid]).toBeGreaterThan(rgba[mid + 2] ?? 255)
  })

  test('counts the frames of an animation', async () => {
    expect(await renderer.probe(await images.animated('webp', 4))).toMatchObject({
      format: 'webp',
      width: 40,
      height: 30,
      pages: 4,
    })
  })

  test('refuses what a render refuses', async () => {
    await expect(renderer.probe(images.htmlNamedPng)).rejects.toMatchObject({ code: 'UnsupportedMediaType' })
    await expect(renderer.probe(images.svg)).rejects.toMatchObject({ code: 'UnsupportedMediaType' })
    expect(await renderer.probe(images.svg, { allowSvg: true })).toMatchObject({
      format: 'svg',
      width: 50,
      height: 40,
    })
  })
})

describe('stripMetadata', () => {
  test('drops EXIF, GPS and XMP, applies the orientation, keeps the format', async () => {
    const stripped = await renderer.stripMetadata(await images.rotatedJpegWithGps())
    const meta = await sharp(stripped.data).metadata()
    expect([stripped.format, stripped.contentType, meta.format]).toEqual(['jpeg', 'image/jpeg', 'jpeg'])
    expect([meta.width, meta.height]).toEqual([200, 300])
    expect([meta.exif, meta.xmp, meta.orientation]).toEqual([undefined, undefined, undefined])
  })

  test('keeps colours: a CMYK JPEG decodes to the same sRGB, a Display P3 profile stays', async () => {
    const cmyk = await images.cmykJpeg()
    const pixel = async (image: Buffer) => [
      ...(await sharp(image).extract({ left: 100, top: 60, width: 1, height: 1 }).raw().toBuffer()),
    ]
    const after = await pixel((await renderer.stripMetadata(cmyk)).data)
    for (const [i, value] of (await pixel(cmyk)).entries())
      expect(Math.abs(value - (after[i] ?? -99))).toBeLessThan(4)
    const p3 = await images.photo(50, 50).withIccProfile('p3').jpeg().toBuffer()
    const icc = (await sharp((await renderer.stripMetadata(p3)).data).metadata()).icc
    expect(icc?.equals((await sharp(p3).metadata()).icc ?? Buffer.alloc(0))).toBe(true)
  })

  test('keeps an animation animated', async () => {
    const stripped = await renderer.stripMetadata(await images.animated('gif'))
    expect([stripped.format, (await sharp(stripped.data).metadata()).pages]).toEqual(['gif', 3])
  })
})
