import { StorageError } from '@coffer/core'
import type { Sharp } from './load-sharp.ts'
import { fromSharpError } from './sharp-errors.ts'

/** What a source's header says, checked against the limits before any pixel is decoded. */
export interface SourceInfo {
  /** sharp's name of the format: `jpeg`, `png`, `webp`, `gif`, `heif`, `tiff` or `svg`. */
  readonly format: string
  /** Width as displayed, after the EXIF orientation is applied. */
  readonly width: number
  /** Height of one frame as displayed, after the EXIF orientation is applied. */
  readonly height: number
  /** Frames of an animated GIF or WebP; 1 for still images. */
  readonly pages: number
  readonly hasAlpha: boolean
}

/** Formats Coffer decodes. TIFF and HEIF/AVIF are in; PDF, JPEG 2000, RAW and the like are not. */
const DECODED = new Set(['jpeg', 'png', 'webp', 'gif', 'heif', 'tiff'])

/** Limits `inspectSource` checks. */
export interface InspectOptions {
  maxPixels: number
  /** Decode SVG (librsvg); off unless the bucket allows it. */
  allowSvg?: boolean | undefined
  /** Every frame of an animated source will be decoded, so all of them count against `maxPixels`. */
  allFrames?: boolean | undefined
}

/**
 * Reads the header of `input` (sharp's `metadata()` decodes no pixels) and refuses what must not be
 * decoded: a file that is no image or one of a format Coffer doesn't decode (`UnsupportedMediaType`,
 * so content that merely claims to be an image by its name or type is refused), SVG unless allowed,
 * and pixel bombs (`UnprocessableContent`): more than `maxPixels` in the frames to be decoded.
 */
export async function inspectSource(
  sharp: Sharp,
  input: string | Buffer,
  options: InspectOptions,
): Promise<SourceInfo> {
  let metadata: Awaited<ReturnType<ReturnType<Sharp>['metadata']>>
  try {
    metadata = await sharp(input, { limitInputPixels: false }).metadata()
  } catch (error) {
    throw fromSharpError(error)
  }
  const { format, width, height } = metadata
  if (format === 'svg' && options.allowSvg !== true) {
    throw new StorageError('UnsupportedMediaType', 'SVG images are rendered only where the bucket allows it')
  }
  if (format !== 'svg' && !DECODED.has(format)) {
    throw new StorageError('UnsupportedMediaType', `${format} images are not rendered`)
  }
  const pages = Math.max(1, metadata.pages ?? 1)
  const frameHeight = metadata.pageHeight ?? height
  const decoded = options.allFrames === true ? pages : 1
  if (!(width > 0 && frameHeight > 0) || width * frameHeight * decoded > options.maxPixels) {
    throw new StorageError(
      'UnprocessableContent',
      `the image has ${width}×${frameHeight}${decoded > 1 ? `×${decoded} frames` : ''} pixels, more than the ${options.maxPixels} rendered`,
    )
  }
  // EXIF orientations 5–8 turn the picture a quarter: what is displayed is the header's transpose.
  const turned = (metadata.orientation ?? 1) >= 5
  return {
    format,
    width: turned ? frameHeight : width,
    height: turned ? width : frameHeight,
    pages,
    hasAlpha: metadata.hasAlpha,
  }
}
