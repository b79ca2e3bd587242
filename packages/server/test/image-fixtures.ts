import sharp from 'sharp'
import { expect } from 'vitest'
import type { Harness } from './harness.ts'

/** What an upload answers, with the image facts the service records. */
export type Uploaded = {
  key: string
  size: number
  image?: { width: number; height: number; thumbhash: string }
}

/** PUTs bytes as the admin, expects 200, and gives the object's info. */
export async function putBytes(
  h: Harness,
  path: string,
  body: Buffer,
  type = 'image/jpeg',
): Promise<Uploaded> {
  const response = await h.fetch(`/v1/buckets/${path}`, {
    method: 'PUT',
    token: h.admin,
    headers: { 'content-type': type },
    body: new Uint8Array(body),
  })
  expect(response.status, path).toBe(200)
  return (await response.json()) as Uploaded
}

/** A photo with EXIF (GPS included), as phones upload them; `orientation` 6 shows it turned a quarter. */
export function phonePhoto(
  width: number,
  height: number,
  options: { colour?: string; orientation?: number } = {},
) {
  const image = sharp({ create: { width, height, channels: 3, background: options.colour ?? '#c87828' } })
    .jpeg()
    .withExif({ IFD0: { Copyright: 'test' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' } })
  return (
    options.orientation === undefined ? image : image.withMetadata({ orientation: options.orientation })
  ).toBuffer()
}
