import type { Sharp as SharpPipeline } from 'sharp'
import { inspectSource } from './inspect-source.ts'
import type { Sharp } from './load-sharp.ts'
import { CONTENT_TYPES } from './negotiate-format.ts'
import type { OutputFormat } from './transform.ts'

/** A stored original re-written without its metadata. */
export interface StrippedImage {
  readonly data: Buffer
  readonly format: OutputFormat
  readonly contentType: string
}

/**
 * The source at `input` without EXIF, GPS, XMP and IPTC, for a bucket whose policy strips uploads:
 * the orientation is applied to the pixels (the EXIF tag that carried it goes), the ICC profile is
 * kept so colours don't shift, animations stay animated, and the format stays the same (HEIF becomes
 * AVIF, TIFF becomes PNG). Lossy formats are re-encoded at quality 90: the only way to drop metadata
 * with libvips, and visually lossless for photos.
 */
export async function stripImageMetadata(
  sharp: Sharp,
  input: string | Buffer,
  options: { maxPixels: number; timeoutMs: number },
): Promise<StrippedImage> {
  const source = await inspectSource(sharp, input, { maxPixels: options.maxPixels, allFrames: true })
  const format = sameFormat(source.format)
  const pipeline = sharp(input, { limitInputPixels: options.maxPixels, animated: source.pages > 1 })
    .autoOrient()
    .keepIccProfile()
    .timeout({ seconds: Math.max(1, Math.ceil(options.timeoutMs / 1000)) })
  const data = await encode(pipeline, format).toBuffer()
  return { data, format, contentType: CONTENT_TYPES[format] }
}

function sameFormat(format: string): OutputFormat {
  if (format === 'jpeg' || format === 'png' || format === 'webp' || format === 'gif') return format
  return format === 'heif' ? 'avif' : 'png'
}

function encode(pipeline: SharpPipeline, format: OutputFormat): SharpPipeline {
  switch (format) {
    case 'jpeg':
      return pipeline.jpeg({ quality: 90 })
    case 'webp':
      return pipeline.webp({ quality: 90 })
    case 'avif':
      return pipeline.avif({ quality: 70, effort: 2 })
    case 'png':
      return pipeline.png()
    case 'gif':
      return pipeline.gif()
  }
}
