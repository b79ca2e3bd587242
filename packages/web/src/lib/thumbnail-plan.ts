import type { Bucket, ObjectSummary } from '../api/types.ts'
import { typeOf } from './listing.ts'

/** CSS pixels of a grid tile's picture; the list's small thumbnail is scaled down from the same render. */
export const THUMB_SIZE = 160

/** How a bucket's thumbnails are made: not at all, an anonymous render URL, or signed render URLs. */
export type ThumbnailPlan =
  | { kind: 'none' }
  /** `/render/<bucket>/<key>?<query>` on the content origin (a public bucket). */
  | { kind: 'public'; query: string }
  /** Render URLs signed in batches with this transform sealed in (a private bucket). */
  | { kind: 'signed'; transform: string }

/** Types the server renders (the raster images libvips decodes); SVG only where the bucket allows it. */
const RASTER = /^image\/(jpeg|png|webp|gif|avif|heic|heif|tiff)$/

/** Whether the server can render this object, by its type. */
export function renderable(object: Pick<ObjectSummary, 'key' | 'contentType'>, bucket: Bucket): boolean {
  const type = typeOf(object).split(';')[0]?.trim().toLowerCase() ?? ''
  return RASTER.test(type) || (type === 'image/svg+xml' && bucket.allowSvg === true)
}

/** The parameters of a variant's text (`w=64,h=64,fit=cover`). */
export function paramsOf(spec: string): Map<string, string> {
  const params = new Map<string, string>()
  for (const part of spec.split(/[,&]/)) {
    const at = part.indexOf('=')
    if (at > 0) params.set(part.slice(0, at).trim(), part.slice(at + 1).trim())
  }
  return params
}

/** The device pixels a variant's shorter side has; Infinity where it keeps the original's size. */
function pixelsOf(spec: string): number {
  const p = paramsOf(spec)
  const side = Math.min(
    Number(p.get('w') ?? Number.POSITIVE_INFINITY),
    Number(p.get('h') ?? Number.POSITIVE_INFINITY),
  )
  return side * Number(p.get('dpr') ?? 1)
}

/**
 * The variant that makes the best thumbnail of `pixels` device pixels: the smallest at least that
 * large, else the largest (a variant without a size, the original's, only when there is nothing else).
 */
export function pickVariant(
  variants: Record<string, string> | undefined,
  pixels: number,
): string | undefined {
  const all = Object.entries(variants ?? {})
    .map(([name, spec]) => ({ name, pixels: pixelsOf(spec) }))
    .filter((v) => !Number.isNaN(v.pixels))
    .sort((a, b) => a.pixels - b.pixels)
  const sized = all.filter((v) => Number.isFinite(v.pixels))
  return (sized.find((v) => v.pixels >= pixels) ?? sized.at(-1) ?? all[0])?.name
}

/** A device pixel ratio as renders take it: a whole number from 1 to 3. */
export function renderDpr(ratio: number): number {
  return Math.min(3, Math.max(1, Math.round(ratio)))
}

/**
 * How thumbnails of `bucket` are asked for. `renders: 'none'`: none (icons). `variants`: one of the
 * bucket's variants (the only renders anonymous callers may ask for, and shared with the app's own
 * requests in the cache). `any`: a square crop of THUMB_SIZE at the screen's pixel ratio.
 */
export function thumbnailPlan(
  bucket: Bucket | undefined,
  ratio = globalThis.devicePixelRatio ?? 1,
): ThumbnailPlan {
  if (bucket === undefined) return { kind: 'none' }
  const mode = bucket.renders ?? 'any'
  if (mode === 'none') return { kind: 'none' }
  const dpr = renderDpr(ratio)
  if (mode === 'variants') {
    const name = pickVariant(bucket.variants, THUMB_SIZE * dpr)
    const spec = name === undefined ? undefined : bucket.variants?.[name]
    if (name === undefined || spec === undefined) return { kind: 'none' }
    return bucket.public
      ? { kind: 'public', query: `variant=${encodeURIComponent(name)}` }
      : { kind: 'signed', transform: spec }
  }
  const transform = `w=${THUMB_SIZE},h=${THUMB_SIZE},fit=cover${dpr > 1 ? `,dpr=${dpr}` : ''}`
  return bucket.public
    ? { kind: 'public', query: transform.replaceAll(',', '&') }
    : { kind: 'signed', transform }
}

/** A render offered in the details panel: a variant by name, or a width. */
export interface RenderLink {
  label: string
  /** What it is, in a few words (`64×64`). */
  note: string
  /** The render parameters, for a signed URL (`w=64,h=64`). */
  transform: string
  /** The query of its anonymous URL (`variant=thumb`, `w=640`). */
  query: string
}

/** Widths offered besides the variants where any render may be asked for. */
const WIDTHS = [320, 640, 1280]

/** The renders the details panel links to: the bucket's variants, and a few widths where `renders` is `any`. */
export function renderLinksOf(bucket: Bucket | undefined): RenderLink[] {
  const mode = bucket?.renders ?? 'any'
  if (bucket === undefined || mode === 'none') return []
  const variants = Object.entries(bucket.variants ?? {}).map(([name, spec]): RenderLink => {
    const p = paramsOf(spec)
    const size = [p.get('w'), p.get('h')].filter((v) => v !== undefined).join('×')
    return { label: name, note: size || spec, transform: spec, query: `variant=${encodeURIComponent(name)}` }
  })
  if (mode !== 'any') return variants
  const widths = WIDTHS.map((w) => ({
    label: `${w} px wide`,
    note: 'height to scale',
    transform: `w=${w}`,
    query: `w=${w}`,
  }))
  return [...variants, ...widths]
}
