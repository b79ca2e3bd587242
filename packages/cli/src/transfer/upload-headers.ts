import { UsageError } from '../coffer-url.ts'

/** The options that describe uploaded objects, as `aws s3 cp` names them. */
export interface UploadHeaderOptions {
  /** `--content-type`: every uploaded object's type, instead of the one the service detects. */
  contentType?: string
  /** `--cache-control`: the `Cache-Control` the content origin answers with. */
  cacheControl?: string
  /** `--metadata k=v`, repeatable: user metadata. */
  metadata?: string[]
}

/** Metadata names the service takes (`x-coffer-meta-<name>`, a header name's token characters). */
const META_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/**
 * The request headers of an upload with these options. Metadata values go as UTF-8 bytes (Latin-1
 * characters to `fetch`), which the service reads back as UTF-8; a malformed pair is a usage error.
 */
export function uploadHeaders(options: UploadHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {}
  if (options.contentType !== undefined) headers['content-type'] = options.contentType
  if (options.cacheControl !== undefined) headers['cache-control'] = options.cacheControl
  for (const pair of options.metadata ?? []) {
    const at = pair.indexOf('=')
    const name = pair.slice(0, at).trim().toLowerCase()
    if (at <= 0 || !META_NAME.test(name))
      throw new UsageError(`bad --metadata ${pair} (use NAME=VALUE; NAME of letters, digits, "-", "_")`)
    headers[`x-coffer-meta-${name}`] = Buffer.from(pair.slice(at + 1), 'utf8').toString('latin1')
  }
  return headers
}
