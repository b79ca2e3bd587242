import { tmpdir } from 'node:os'
import { StorageError } from '@coffer/core'

/** The bounds every render and probe stays within; each has a default fit for a 2-core machine. */
export interface ImageLimits {
  /**
   * Most pixels a source may have (width × height × frames), checked from its header before any
   * pixel is decoded. Default 50 megapixels (`COFFER_IMAGE_MAX_PIXELS`).
   */
  maxPixels: number
  /** Largest source in bytes; larger ones fail with `TooLarge`. Default 100 MiB (`COFFER_IMAGE_MAX_BYTES`). */
  maxInputBytes: number
  /** Renders running at once. Default 2 (`COFFER_IMAGE_CONCURRENCY`). */
  concurrency: number
  /**
   * Renders waiting for a slot; one more fails at once with a retryable `Unavailable` (503 with
   * `Retry-After`). Default 32 (`COFFER_IMAGE_QUEUE`).
   */
  maxQueued: number
  /** Milliseconds one render may take, waiting included; then `Timeout`. Default 20 000 (`COFFER_IMAGE_TIMEOUT_MS`). */
  timeoutMs: number
  /** Where sources are spooled while they are read. Default the system's temporary directory. */
  tempDir: string
}

/** The defaults of `ImageLimits`. */
export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = {
  maxPixels: 50_000_000,
  maxInputBytes: 100 * 1024 * 1024,
  concurrency: 2,
  maxQueued: 32,
  timeoutMs: 20_000,
  tempDir: tmpdir(),
}

const VARIABLES = {
  maxPixels: 'COFFER_IMAGE_MAX_PIXELS',
  maxInputBytes: 'COFFER_IMAGE_MAX_BYTES',
  concurrency: 'COFFER_IMAGE_CONCURRENCY',
  maxQueued: 'COFFER_IMAGE_QUEUE',
  timeoutMs: 'COFFER_IMAGE_TIMEOUT_MS',
} as const

/**
 * Limits from `COFFER_IMAGE_*` variables over the defaults. A variable that is set but not a positive
 * integer is a configuration mistake: `InvalidArgument`, so the service refuses to start with it.
 */
export function imageLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): ImageLimits {
  const limits: ImageLimits = { ...DEFAULT_IMAGE_LIMITS }
  for (const [field, variable] of Object.entries(VARIABLES) as [keyof typeof VARIABLES, string][]) {
    const text = env[variable]
    if (text === undefined || text === '') continue
    const value = Number(text)
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < (field === 'maxQueued' ? 0 : 1)) {
      throw new StorageError('InvalidArgument', `${variable} must be a positive integer`)
    }
    limits[field] = value
  }
  return limits
}
