import { createReadStream } from 'node:fs'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createImageRenderer, parseTransform } from '../src/index.ts'
import { photo } from './test-images.ts'

let tempDir: string
let spoolDir: string
beforeAll(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'coffer-render-test-'))
  spoolDir = await mkdtemp(join(tmpdir(), 'coffer-render-spool-'))
})
afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true })
  await rm(spoolDir, { recursive: true, force: true })
})

const renderer = () => createImageRenderer({ tempDir: spoolDir })
const render = (source: Buffer | Readable, transform: string, accept?: string) =>
  renderer().render(source, { transform: parseTransform(transform), accept })

describe('render', () => {
  test('fits a box as each fit mode says', async () => {
    const source = await photo(800, 400).jpeg().toBuffer()
    const size = async (transform: string) => {
      const out = await render(source, transform)
      const meta = await sharp(out.data).metadata()
      expect([meta.width, meta.height]).toEqual([out.width, out.height])
      return `${meta.width}x${meta.height}`
    }
    expect(await size('w=200,h=200')).toBe('200x200')
    expect(await size('w=200,h=200,fit=contain')).toBe('200x200')
    expect(await size('w=200,h=200,fit=fill')).toBe('200x200')
    expect(await size('w=200,h=200,fit=inside')).toBe('200x100')
    expect(await size('w=200,h=200,fit=outside')).toBe('400x200')
    expect(await size('w=100')).toBe('100x50')
    expect(await size('h=100,dpr=2')).toBe('400x200')
    expect(await size('')).toBe('800x400')
  })

  test('cover crops where position says, attention and entropy included', async () => {
    // The dark mark is in the top-left quarter: a north-west crop keeps it, a south-east one doesn't.
    const source = await photo(400, 400).png().toBuffer()
    const corner = async (transform: string) => {
      const out = await render(source, `${transform},format=png`)
      const { data } = await sharp(out.data)
        .extract({ left: 0, top: 0, width: 1, height: 1 })
        .raw()
        .toBuffer({ resolveWithObject: true })
      return data[0]
    }
    expect(await corner('w=100,h=300,position=northwest')).toBeLessThan(50)
    expect(await corner('w=100,h=300,position=southeast')).toBeGreaterThan(150)
    for (const strategy of ['attention', 'entropy']) {
      const out = await render(source, `w=100,h=100,position=${strategy}`)
      expect([out.width, out.height]).toEqual([100, 100])
    }
  })

  test('writes the format asked for, and auto from Accept', async () => {
    const source = await photo(120, 90).jpeg().toBuffer()
    const formatOf = async (transform: string, accept?: string) => {
      const out = await render(source, transform, accept)
      const meta = await sharp(out.data).metadata()
      expect(out.contentType).toBe(`image/${out.format}`)
      return `${out.format}:${meta.format}${meta.format === 'heif' ? `/${meta.compression}` : ''}`
    }
    expect(await formatOf('format=avif')).toBe('avif:heif/av1')
    expect(await formatOf('format=webp')).toBe('webp:webp')
    expect(await formatOf('format=png')).toBe('png:png')
    expect(await formatOf('format=origin', 'image/avif')).toBe('jpeg:jpeg')
    expect(await formatOf('', 'image/avif,image/webp,*/*')).toBe('avif:heif/av1')
    expect(await formatOf('', 'image/webp,*/*')).toBe('webp:webp')
    expect(await formatOf('', '*/*')).toBe('jpeg:jpeg')
  })

  test('quality changes the size of lossy outputs', async () => {
    const source = await sharp({
      create: {
        width: 300,
        height: 300,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    })
      .png()
      .toBuffer()
    const low = await render(source, 'format=jpeg,q=20')
    const high = await render(source, 'format=jpeg,q=100')
    expect(low.data.length).toBeLessThan(high.data.length / 2)
  })

  test('transparent parts become white in JPEG', async () => {
    const source = await sharp({
      create: { width: 10, height: 10, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer()
    const out = await render(source, 'format=jpeg')
    const { data } = await sharp(out.data).raw().toBuffer({ resolveWithObject: true })
    expect(data[0]).toBeGreaterThan(240)
  })

  test('reads streamed sources through a temporary file it removes afterwards', async () => {
    const path = join(tempDir, 'big.jpg')
    await writeFile(path, await photo(1600, 1200).jpeg().toBuffer())
    const out = await render(createReadStream(path), 'w=256,format=webp')
    expect([out.format, out.width, out.height]).toEqual(['webp', 256, 192])
    const web = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>
    expect((await renderer().render(web, { transform: parseTransform('w=64') })).width).toBe(64)
    expect(await readdir(spoolDir)).toEqual([])
  })

  test('a source past maxInputBytes is TooLarge, and its spool file is gone', async () => {
    const source = await photo(400, 400).png().toBuffer()
    const small = createImageRenderer({ tempDir: spoolDir, maxInputBytes: 1000 })
    await expect(small.render(Readable.from([source]), { transform: {} })).rejects.toMatchObject({
      code: 'TooLarge',
    })
    await expect(small.render(source, { transform: {} })).rejects.toMatchObject({ code: 'TooLarge' })
    expect(await readdir(spoolDir)).toEqual([])
  })
})
