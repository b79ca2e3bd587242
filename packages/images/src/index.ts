/**
 * @coffer/images: safe renders of untrusted images (resize, crop, convert) with sharp, which is
 * loaded only when the first render, probe or strip runs.
 */
export { DEFAULT_IMAGE_LIMITS, type ImageLimits, imageLimitsFromEnv } from './image-limits.ts'
export {
  createImageRenderer,
  type ImageRenderer,
  type ProbeOptions,
  type StripOptions,
} from './image-renderer.ts'
export type { SourceInfo } from './inspect-source.ts'
export { acceptedImageTypes, CONTENT_TYPES, type FormatContext, negotiateFormat } from './negotiate-format.ts'
export { type ParseTransformOptions, parseTransform, type TransformInput } from './parse-transform.ts'
export type { ImageProbe } from './probe-image.ts'
export type { RenderedImage, RenderRequest } from './render-image.ts'
export { RenderQueue } from './render-queue.ts'
export { type RenderUrlOptions, renderUrl } from './render-url.ts'
export type { ImageSource } from './spool-source.ts'
export type { StrippedImage } from './strip-metadata.ts'
export {
  canonicalTransform,
  FITS,
  type Fit,
  MAX_OUTPUT_SIDE,
  type OutputFormat,
  POSITIONS,
  type Position,
  REQUESTED_FORMATS,
  type RequestedFormat,
  type Transform,
} from './transform.ts'
export { transformDigest } from './transform-digest.ts'
