import type sharpModule from 'sharp'

/** sharp's default export: the function that opens an image. */
export type Sharp = typeof sharpModule

let loading: Promise<Sharp> | undefined

/**
 * sharp, imported on the first render so that a Coffer that never renders never loads libvips (tens
 * of megabytes of native code). Its operation cache is turned off: each render reads a new temporary
 * file, so cached operations would only hold memory.
 */
export function loadSharp(): Promise<Sharp> {
  loading ??= import('sharp').then(({ default: sharp }) => {
    sharp.cache(false)
    return sharp
  })
  return loading
}
