import type { Sharp as SharpPipeline } from 'sharp'
import { inspectSource, type SourceInfo } from './inspect-source.ts'
import type { Sharp } from './load-sharp.ts'
import { CONTENT_TYPES, negotiateFormat } from './negotiate-format.ts'
import { resizeOptions } from './resize-options.ts'
import type { OutputFormat, Transform } from './transform.ts'

/** One render's request, beyond its source. */
export interface RenderRequest {
  readonly transform: Transform
  /** The request's `Accept` header, for `format=auto`. */
  readonly accept?: string | undefined
  /** Rasterise SVG sources; off unless the bucket allows it. */
  readonly allowSvg?: boolean | undefined
  /** Aborts the render (the client went away). The render's own time limit applies as well. */
  readonly signal?: AbortSignal | undefined
}

/**
 * A finished render. The bytes are whole because libvips writes an image only once it is complete
 * (sharp's stream output buffers it just the same); having them whole lets a failure become a typed
 * status before any header is sent, and gives the cache an exact length. Outputs are bounded: at
 * most 4096×4096 per frame, compressed.
 */
export interface RenderedImage {
  readonly data: Buffer
  readonly format: OutputFormat
  readonly contentType: string
  /** Width of the output. */
  readonly width: number
  /** Height of one frame of the output. */
  readonly height: number
  /** Frames in the output: more than 1 only when an animated source stays animated. */
  readonly pages: number
}

/** Default encoder quality per format, when `q` is not given. */
const QUALITY: Readonly<Record<OutputFormat, number>> = { avif: 50, webp: 80, jpeg: 80, png: 100, gif: 100 }

/**
 * Renders the source at `input` (already spooled, limits not yet checked). Safety, in order: the
 * header is checked first (`inspectSource`), sharp gets the pixel limit again as a second guard and
 * a time limit, the EXIF orientation is applied, colour goes to sRGB, and all metadata (EXIF, GPS,
 * XMP, IPTC, ICC) is left out, which is sharp's default unless asked to keep it.
 */
export async function renderImage(
  sharp: Sharp,
  input: string | Buffer,
  request: RenderRequest & { maxPixels: number; timeoutMs: number },
): Promise<RenderedImage> {
  const { transform } = request
  const wantsFrames = transform.frame !== 'first'
  const source = await inspectSource(sharp, input, {
    maxPixels: request.maxPixels,
    allowSvg: request.allowSvg,
    allFrames: wantsFrames,
  })
  const animated = wantsFrames && source.pages > 1
  const format = negotiateFormat(transform.format, {
    accept: request.accept,
    source: source.format,
    animated,
  })
  // AVIF, JPEG and PNG hold one frame: those outputs decode the first frame only.
  const keepFrames = animated && (format === 'webp' || format === 'gif')
  let pipeline = sharp(input, {
    limitInputPixels: request.maxPixels,
    animated: keepFrames,
    sequentialRead: true,
  })
    .autoOrient()
    .timeout({ seconds: Math.max(1, Math.ceil(request.timeoutMs / 1000)) })
  const resize = resizeOptions(source, transform)
  if (resize !== undefined) pipeline = pipeline.resize({ ...resize, background: TRANSPARENT })
  pipeline = encode(pipeline.toColourspace('srgb'), format, transform.q ?? QUALITY[format], source)
  const { data, info } = await pipeline.toBuffer({ resolveWithObject: true })
  const pages = keepFrames ? source.pages : 1
  return {
    data,
    format,
    contentType: CONTENT_TYPES[format],
    width: info.width,
    height: keepFrames ? Math.round(info.height / pages) : info.height,
    pages,
  }
}

const TRANSPARENT = { r: 0, g: 0, b: 0, alpha: 0 }

function encode(
  pipeline: SharpPipeline,
  format: OutputFormat,
  quality: number,
  source: SourceInfo,
): SharpPipeline {
  switch (format) {
    case 'avif':
      // Effort 2 of 9: AVIF's default effort costs several times the CPU for a few percent of size.
      return pipeline.avif({ quality, effort: 2 })
    case 'webp':
      return pipeline.webp({ quality, effort: 4 })
    case 'jpeg':
      // JPEG has no alpha channel: transparent parts become white, not libvips' black.
      return (source.hasAlpha ? pipeline.flatten({ background: '#ffffff' }) : pipeline).jpeg({
        quality,
        mozjpeg: false,
        progressive: true,
      })
    case 'png':
      return pipeline.png({ compressionLevel: 6 })
    case 'gif':
      return pipeline.gif()
  }
}
