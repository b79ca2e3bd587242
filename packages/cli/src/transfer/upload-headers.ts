import { isMetadataName, type ObjectAttributes } from '@coffer/client'
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

/**
 * The attributes of uploads with these options (the client turns them into headers, and refuses a
 * metadata name no header can carry); a pair without `=` is a usage error.
 */
export function uploadAttributes(options: UploadHeaderOptions): ObjectAttributes {
  const attributes: ObjectAttributes = {}
  if (options.contentType !== undefined) attributes.contentType = options.contentType
  if (options.cacheControl !== undefined) attributes.cacheControl = options.cacheControl
  const metadata: Record<string, string> = {}
  for (const pair of options.metadata ?? []) {
    const at = pair.indexOf('=')
    const name = pair.slice(0, at).trim().toLowerCase()
    if (at <= 0 || !isMetadataName(name))
      throw new UsageError(`bad --metadata ${pair} (use NAME=VALUE; NAME of letters, digits, "-", "_")`)
    metadata[name] = pair.slice(at + 1)
  }
  if (Object.keys(metadata).length > 0) attributes.metadata = metadata
  return attributes
}
