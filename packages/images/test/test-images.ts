import { deflateSync } from 'node:zlib'
import sharp, { type Sharp } from 'sharp'

/** Test images, each made here with sharp (or by hand where sharp would refuse to write it). */

/** A solid-colour image with a darker square in its top-left quarter, so crops are visible. */
export function photo(width: number, height: number): Sharp {
  const mark = Buffer.alloc(Math.ceil(width / 4) * Math.ceil(height / 4) * 3, 20)
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 120, b: 40 } } }).composite([
    {
      input: mark,
      raw: { width: Math.ceil(width / 4), height: Math.ceil(height / 4), channels: 3 },
      left: 0,
      top: 0,
    },
  ])
}

/** A JPEG stored 300×200 with EXIF orientation 6 (shown 200×300), a GPS position and XMP. */
export function rotatedJpegWithGps(): Promise<Buffer> {
  return photo(300, 200)
    .jpeg()
    .withExif({
      IFD0: { Copyright: 'Coffer test' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '48/1 51/1 0/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '2/1 21/1 0/1',
      },
    })
    .withMetadata({ orientation: 6 })
    .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>')
    .toBuffer()
}

/** A JPEG in the CMYK colour space, as print workflows export them. */
export function cmykJpeg(): Promise<Buffer> {
  return photo(120, 80).toColourspace('cmyk').jpeg().toBuffer()
}

/** A PNG with 16 bits per channel. */
export function png16(): Promise<Buffer> {
  return photo(64, 48).toColourspace('rgb16').png().toBuffer()
}

/** An animated image of `frames` frames of 40×30, each a different colour. */
export async function animated(format: 'gif' | 'webp', frames = 3): Promise<Buffer> {
  const images = await Promise.all(
    Array.from({ length: frames }, (_, i) =>
      sharp({
        create: { width: 40, height: 30, channels: 4, background: { r: 80 * i, g: 40, b: 200, alpha: 1 } },
      })
        .png()
        .toBuffer(),
    ),
  )
  const joined = sharp(images, { join: { animated: true } })
  return (
    format === 'gif' ? joined.gif({ delay: 100, loop: 0 }) : joined.webp({ delay: 100, loop: 0 })
  ).toBuffer()
}

/** A PNG 1 pixel wide and 60 000 high. */
export function strip(): Promise<Buffer> {
  return sharp({ create: { width: 1, height: 60_000, channels: 3, background: '#336699' } })
    .png()
    .toBuffer()
}

/**
 * A decompression bomb: a valid PNG of a few hundred bytes whose header claims 100 000 × 100 000
 * pixels (40 GB once decoded). Made by hand: no encoder writes one.
 */
export function pngBomb(): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(100_000, 0)
  ihdr.writeUInt32BE(100_000, 4)
  ihdr.set([8, 2, 0, 0, 0], 8) // 8-bit RGB, deflate, no filter, no interlace
  const rows = deflateSync(Buffer.alloc(3 * 100_000 + 1))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', rows),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/** CRC-32 as PNG chunks use it (ISO 3309). */
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

/** The first half of a JPEG: its header is whole, its pixels stop midway. */
export async function truncatedJpeg(): Promise<Buffer> {
  const whole = await photo(400, 300).jpeg().toBuffer()
  return whole.subarray(0, Math.floor(whole.length / 2))
}

/** An HTML page, as someone would upload it under the name `avatar.png`. */
export const htmlNamedPng = Buffer.from(
  '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>',
)

/** A small SVG with a script inside. */
export const svg = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="50" height="40"><script>alert(1)</script><rect width="50" height="40" fill="red"/></svg>',
)
