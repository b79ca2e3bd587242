/** How the image fits the `w`×`h` box; the same names and meanings as CSS `object-fit` and sharp. */
export const FITS = ['cover', 'contain', 'fill', 'inside', 'outside'] as const
export type Fit = (typeof FITS)[number]

/** Formats a render can be asked for: `auto` negotiates from `Accept`, `origin` keeps the source's. */
export const REQUESTED_FORMATS = ['auto', 'avif', 'webp', 'jpeg', 'png', 'origin'] as const
export type RequestedFormat = (typeof REQUESTED_FORMATS)[number]

/** Formats a render is written in (`gif` only when the source is a GIF and `origin` was asked for). */
export type OutputFormat = 'avif' | 'webp' | 'jpeg' | 'png' | 'gif'

/**
 * Where `cover` crops (and `contain` places the image): sharp's gravities, or a strategy that looks
 * at the picture (`attention`: the most salient region, `entropy`: the busiest one; `cover` only).
 */
export const POSITIONS = [
  'centre',
  'north',
  'northeast',
  'east',
  'southeast',
  'south',
  'southwest',
  'west',
  'northwest',
  'attention',
  'entropy',
] as const
export type Position = (typeof POSITIONS)[number]

/** Largest width or height of any render, in pixels (device pixels, after `dpr`). */
export const MAX_OUTPUT_SIDE = 4096

/**
 * A render's parameters in canonical form: `dpr` is already multiplied into `w` and `h`, defaults are
 * left out, and parameters that change nothing for this combination are dropped. Two requests that
 * must produce the same bytes have equal transforms, so `canonicalTransform` is a sound cache key.
 */
export interface Transform {
  /** Output width in device pixels, 1–4096. */
  readonly w?: number
  /** Output height in device pixels, 1–4096. */
  readonly h?: number
  /** Only when both `w` and `h` are set; default `cover`. */
  readonly fit?: Fit
  /** Only for `cover` and `contain`; default `centre`. */
  readonly position?: Position
  /** Default `auto`. */
  readonly format?: RequestedFormat
  /** Encoder quality 20–100; default per format. Dropped for PNG, which is lossless. */
  readonly q?: number
  /** Render only the first frame of an animated GIF or WebP. */
  readonly frame?: 'first'
}

/** The order of parameters in the canonical string; the same syntax `parseTransform` reads. */
const ORDER = ['w', 'h', 'fit', 'position', 'format', 'q', 'frame'] as const

/**
 * The transform as `w=200,h=200,fit=contain`: stable (fixed order, defaults left out), readable in
 * logs and URLs, and what a signature seals. An empty string is the identity render.
 */
export function canonicalTransform(transform: Transform): string {
  const parts: string[] = []
  for (const name of ORDER) {
    const value = transform[name]
    if (value !== undefined) parts.push(`${name}=${value}`)
  }
  return parts.join(',')
}
