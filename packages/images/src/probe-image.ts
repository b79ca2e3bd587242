import { rgbaToThumbHash } from 'thumbhash'
import { inspectSource } from './inspect-source.ts'
import type { Sharp } from './load-sharp.ts'

/** What an upload's info carries about an image. */
export interface ImageProbe {
  /** sharp's name of the format (`jpeg`, `png`, `webp`, `gif`, `heif`, `tiff`, `svg`). */
  readonly format: string
  /** Width as displayed (EXIF orientation applied). */
  readonly width: number
  /** Height of one frame as displayed. */
  readonly height: number
  /** Frames; 1 for still images. */
  readonly pages: number
  /**
   * A ThumbHash of the picture, base64: a ~25-byte placeholder that UIs decode to a blurred preview
   * while the image loads.
   */
  readonly thumbhash: string
}

/** ThumbHash encodes images of at most 100×100 pixels. */
const THUMB_SIDE = 100

/**
 * Width, height and a ThumbHash of the source at `input`, with the same checks as a render (header
 * first, the pixel limit, SVG only when allowed). Only the first frame of an animation is decoded.
 */
export async function probeImage(
  sharp: Sharp,
  input: string | Buffer,
  options: { maxPixels: number; timeoutMs: number; allowSvg?: boolean | undefined },
): Promise<ImageProbe> {
  const source = await inspectSource(sharp, input, {
    maxPixels: options.maxPixels,
    allowSvg: options.allowSvg,
  })
  const { data, info } = await sharp(input, { limitInputPixels: options.maxPixels })
    .autoOrient()
    .timeout({ seconds: Math.max(1, Math.ceil(options.timeoutMs / 1000)) })
    .resize({ width: THUMB_SIDE, height: THUMB_SIDE, fit: 'inside' })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  const hash = rgbaToThumbHash(info.width, info.height, data)
  return {
    format: source.format,
    width: source.width,
    height: source.height,
    pages: source.pages,
    thumbhash: Buffer.from(hash).toString('base64'),
  }
}
