import type { ResizeOptions } from 'sharp'
import type { SourceInfo } from './inspect-source.ts'
import { MAX_OUTPUT_SIDE, type Transform } from './transform.ts'

/**
 * sharp's resize options for `transform` on a source of the given (displayed, one-frame) size, such
 * that no side of the output exceeds 4096 px: a 1×60000 strip asked for at `w=200` would otherwise
 * become 200×12 000 000. `undefined` when the source already fits and nothing was asked for.
 */
export function resizeOptions(
  source: Pick<SourceInfo, 'width' | 'height'>,
  transform: Transform,
): ResizeOptions | undefined {
  const { w, h } = transform
  const fit = transform.fit ?? 'cover'
  if (w !== undefined && h !== undefined) {
    if (fit !== 'outside') return { width: w, height: h, fit, position: transform.position ?? 'centre' }
    // `outside` covers the box, so one side may go far past it: compute the size and bound it.
    const scale = Math.max(w / source.width, h / source.height)
    return bounded(source.width * scale, source.height * scale)
  }
  if (w !== undefined) return { width: w, height: MAX_OUTPUT_SIDE, fit: 'inside' }
  if (h !== undefined) return { width: MAX_OUTPUT_SIDE, height: h, fit: 'inside' }
  if (source.width <= MAX_OUTPUT_SIDE && source.height <= MAX_OUTPUT_SIDE) return undefined
  return { width: MAX_OUTPUT_SIDE, height: MAX_OUTPUT_SIDE, fit: 'inside' }
}

/** An exact size with the given aspect ratio, shrunk to fit 4096×4096 and at least 1×1. */
function bounded(width: number, height: number): ResizeOptions {
  const shrink = Math.min(1, MAX_OUTPUT_SIDE / width, MAX_OUTPUT_SIDE / height)
  return {
    width: Math.max(1, Math.round(width * shrink)),
    height: Math.max(1, Math.round(height * shrink)),
    fit: 'fill',
  }
}
