import { ApiError, type Client } from '../client.ts'
import { type CofferUrl, parseCofferUrl } from '../coffer-url.ts'
import { printJson } from '../output.ts'
import { listPages } from '../transfer/remote-tree.ts'
import { formatBytes } from '../units.ts'
import { objectPath } from './cat.ts'

/** An object's description as the service gives it. */
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
export async function stat(client: Client, target: string, options: { json?: boolean }): Promise<void> {
  const ref = parseCofferUrl(target)
  const response = await client.request(objectPath(target), { method: 'HEAD' })
  const h = response.headers
  const metadata: Record<string, string> = {}
  for (const [name, value] of h) {
    if (name.startsWith('x-coffer-meta-'))
      metadata[name.slice('x-coffer-meta-'.length)] = Buffer.from(value, 'latin1').toString('utf8')
  }
  const info: ObjectJson = {
    key: ref.key,
    size: Number(h.get('content-length') ?? 0),
    etag: h.get('etag') ?? '',
    contentType: h.get('content-type') ?? '',
    lastModified: new Date(h.get('last-modified') ?? 0).toISOString(),
    metadata,
    visibility: h.get('x-coffer-visibility') ?? (await bucketVisibility(client, ref.bucket)),
  }
  const sha256 = h.get('x-coffer-sha256') ?? (await listedSha256(client, ref))
  if (sha256 !== undefined) info.sha256 = sha256
  if (options.json) return printJson(info)
  const lines = [
    ['key', info.key],
    ['size', `${info.size} (${formatBytes(info.size)})`],
    ['type', info.contentType],
    ['etag', info.etag],
    ['sha256', info.sha256 ?? '-'],
    ['visibility', info.visibility || '-'],
    ['modified', info.lastModified],
    ...Object.entries(metadata).map(([name, value]) => [`meta.${name}`, value]),
  ]
  for (const [name, value] of lines) process.stdout.write(`${String(name).padEnd(10)} ${value}\n`)
}

/** The object's sha256 as the index lists it (the listing from its key finds it first). */
async function listedSha256(client: Client, ref: CofferUrl): Promise<string | undefined> {
  for await (const page of listPages(client, ref.bucket, ref.key, undefined, 1)) {
    const first = page.objects[0]
    return first?.key === ref.key ? first.sha256 : undefined
  }
  return undefined
}

/** Who may read the bucket's objects; empty when the credential may not see the bucket's policy. */
async function bucketVisibility(client: Client, bucket: string): Promise<string> {
  try {
    const policy = await client.json<{ public: boolean }>(`/v1/buckets/${encodeURIComponent(bucket)}`)
    return policy.public ? 'public' : 'private'
  } catch (error) {
    if (error instanceof ApiError && error.code === 'AccessDenied') return ''
    throw error
  }
}
