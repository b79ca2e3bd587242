import type { OutputFormat, RequestedFormat } from './transform.ts'

/** What the output format depends on besides the request. */
export interface FormatContext {
  /** The request's `Accept` header, when there is one. */
  accept?: string | undefined
  /** The source's format as sharp names it (`jpeg`, `png`, `webp`, `gif`, `heif`, `tiff`, …). */
  source: string
  /** The output keeps more than one frame (an animated source without `frame=first`). */
  animated: boolean
}

/** The media type of each output format. */
export const CONTENT_TYPES: Readonly<Record<OutputFormat, string>> = {
  avif: 'image/avif',
  webp: 'image/webp',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
}

/**
 * The format to write. `auto` picks AVIF, then WebP, from `Accept`, else the source's own format;
 * responses to `auto` must say `Vary: Accept`. An animated output never becomes AVIF (sharp writes
 * one AVIF frame only) and falls back to GIF where WebP is not accepted, so it stays animated.
 */
export function negotiateFormat(
  requested: RequestedFormat | undefined,
  context: FormatContext,
): OutputFormat {
  const format = requested ?? 'auto'
  if (format === 'origin') return originFormat(context)
  if (format !== 'auto') return format
  const accepted = acceptedImageTypes(context.accept)
  if (!context.animated && accepted.has('image/avif')) return 'avif'
  if (accepted.has('image/webp')) return 'webp'
  return originFormat(context)
}

/** The source's format when a render can write it; PNG for the rest (TIFF, SVG, JPEG 2000, …). */
function originFormat(context: FormatContext): OutputFormat {
  switch (context.source) {
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'gif':
      return context.source
    case 'heif':
      return context.animated ? 'gif' : 'avif'
    default:
      return context.animated ? 'gif' : 'png'
  }
}

/**
 * The image types an `Accept` header names with a non-zero weight (RFC 9110 §12.5.1). Wildcards are
 * not enough: browsers that decode AVIF or WebP say so by name, and `*\/*` comes from clients that
 * may not.
 */
export function acceptedImageTypes(accept: string | undefined): Set<string> {
  const types = new Set<string>()
  if (accept === undefined) return types
  for (const range of accept.slice(0, 1024).split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase())
    const weight = params.find((param) => param.startsWith('q='))
    if (weight !== undefined && !(Number(weight.slice(2)) > 0)) continue
    if (type.startsWith('image/') && type !== 'image/*') types.add(type)
  }
  return types
}
