import { StorageError } from '@coffer/core'

/** The file a deploy may carry at its root to say how it is served. */
export const SITE_CONFIG_FILE = 'coffer-site.json'

/** Larger than any sensible config: the file is read whole, so it is bounded. */
export const MAX_SITE_CONFIG_BYTES = 16 * 1024

/** How a deploy is served, from its `coffer-site.json`. */
export interface SiteConfig {
  /** Paths that name no file answer with `/index.html` and 200 (a single-page app's router). */
  spa: boolean
}

/**
 * Parses `coffer-site.json`: `{ "spa": true }`; unknown members are ignored so that later versions'
 * files still deploy. Anything else is `InvalidArgument` (400), and the deploy stores nothing.
 */
export function parseSiteConfig(text: string): SiteConfig {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new StorageError('InvalidArgument', `${SITE_CONFIG_FILE} is not valid JSON`, { cause: error })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StorageError('InvalidArgument', `${SITE_CONFIG_FILE} must hold a JSON object`)
  }
  const { spa } = value as { spa?: unknown }
  if (spa !== undefined && typeof spa !== 'boolean') {
    throw new StorageError('InvalidArgument', `"spa" in ${SITE_CONFIG_FILE} must be true or false`)
  }
  return { spa: spa === true }
}
