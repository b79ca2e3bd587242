import { type CofferClient, isCofferError } from '@coffer/client'
import { printJson } from '../output.ts'
import { formatBytes } from '../units.ts'
import { objectRef } from './cat.ts'

/** An object's description as `coffer stat --json` prints it. */
export interface ObjectJson {
  key: string
  size: number
  etag: string
  contentType: string
  lastModified: string
  metadata: Record<string, string>
  /** `public` (anyone may read it through /public) or `private`; empty when the credential cannot tell. */
  visibility: string
  sha256?: string
}

/**
 * `coffer stat URL`: size, type, etag, sha256, visibility, date and metadata. The HEAD answer has most
 * of them; the sha256 comes from the object index's listing and the visibility from the bucket's
 * policy when the HEAD does not carry them.
 */
export async function stat(client: CofferClient, target: string, options: { json?: boolean }): Promise<void> {
  const ref = objectRef(target)
  const found = await client.objects.stat(ref.bucket, ref.key)
  const info: ObjectJson = {
    key: ref.key,
    size: found.size,
    etag: found.etag,
    contentType: found.contentType ?? '',
    lastModified: found.lastModified,
    metadata: found.metadata,
    visibility: found.visibility ?? (await bucketVisibility(client, ref.bucket)),
  }
  if (found.sha256 !== undefined) info.sha256 = found.sha256
  if (options.json) return printJson(info)
  const lines = [
    ['key', info.key],
    ['size', `${info.size} (${formatBytes(info.size)})`],
    ['type', info.contentType],
    ['etag', info.etag],
    ['sha256', info.sha256 ?? '-'],
    ['visibility', info.visibility || '-'],
    ['modified', info.lastModified],
    ...Object.entries(info.metadata).map(([name, value]) => [`meta.${name}`, value]),
  ]
  for (const [name, value] of lines) process.stdout.write(`${String(name).padEnd(10)} ${value}\n`)
}

/** Who may read the bucket's objects; empty when the credential may not see the bucket's policy. */
async function bucketVisibility(client: CofferClient, bucket: string): Promise<string> {
  try {
    return (await client.buckets.get(bucket)).public ? 'public' : 'private'
  } catch (error) {
    if (isCofferError(error, 'AccessDenied')) return ''
    throw error
  }
}
