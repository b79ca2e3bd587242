import { StorageError } from '@coffer/core'

function invalid(message: string): never {
  throw new StorageError('InvalidArgument', message)
}

/**
 * An origin as browsers send it in `Origin` (RFC 6454 §6.1: scheme, host, port when not the
 * default, no path), or `*`; anything else is refused, so that a rule never silently fails to match.
 */
export function parseOrigin(text: string): string {
  const value = text.trim()
  if (value === '*') return value
  let url: URL
  try {
    url = new URL(value)
  } catch {
    invalid(`"${value.slice(0, 100)}" is not an origin (write https://app.example.com)`)
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== value.toLowerCase()) {
    invalid(`"${value.slice(0, 100)}" is not an origin: scheme, host and port only (https://app.example.com)`)
  }
  return url.origin
}

/** `COFFER_CORS_ORIGINS`: comma-separated origins; empty or unset allows none. */
export function parseOriginList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(parseOrigin)
}
