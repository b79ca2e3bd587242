import type { Client } from '../client.ts'
import { parseCofferUrl } from '../coffer-url.ts'
import { objectPath } from './cat.ts'

/** An object's description as the service gives it. */
export interface ObjectJson {
  key: string
  size: number
  etag: string
  contentType: string
  lastModified: string
  metadata: Record<string, string>
  visibility: string
  sha256?: string
}

/** `coffer stat URL`: size, type, etag, dates and metadata (HEAD; sha256 when the service sends it). */
export async function stat(client: Client, target: string, options: { json?: boolean }): Promise<void> {
  const { key } = parseCofferUrl(target)
  const response = await client.request(objectPath(target), { method: 'HEAD' })
  const h = response.headers
  const metadata: Record<string, string> = {}
  for (const [name, value] of h) {
    if (name.startsWith('x-coffer-meta-'))
      metadata[name.slice('x-coffer-meta-'.length)] = Buffer.from(value, 'latin1').toString('utf8')
  }
  const info: ObjectJson = {
    key,
    size: Number(h.get('content-length') ?? 0),
    etag: h.get('etag') ?? '',
    contentType: h.get('content-type') ?? '',
    lastModified: new Date(h.get('last-modified') ?? 0).toISOString(),
    metadata,
    visibility: h.get('x-coffer-visibility') ?? '',
  }
  const sha256 = h.get('x-coffer-sha256')
  if (sha256 !== null) info.sha256 = sha256
  if (options.json) {
    process.stdout.write(`${JSON.stringify(info)}\n`)
    return
  }
  const lines = [
    ['key', info.key],
    ['size', String(info.size)],
    ['type', info.contentType],
    ['etag', info.etag],
    ['sha256', info.sha256 ?? ''],
    ['modified', info.lastModified],
    ...Object.entries(metadata).map(([name, value]) => [`meta.${name}`, value]),
  ]
  for (const [name, value] of lines) process.stdout.write(`${String(name).padEnd(10)} ${value}\n`)
}
