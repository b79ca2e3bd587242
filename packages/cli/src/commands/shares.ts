import type { Client } from '../client.ts'
import { parseCofferUrl, UsageError } from '../coffer-url.ts'
import { print, printJson, printTable } from '../output.ts'
import { parseDuration } from '../units.ts'

interface Share {
  id: string
  bucket: string
  key: string
  url: string
  createdByName: string
  expiresAt: string
  downloads: number
  maxDownloads?: number
}

/** Options of `coffer share`. */
export interface ShareOptions {
  /** Lifetime: `15m` to the bucket's longest (the service's default: 7 days). */
  expires?: string
  /** Most downloads, a whole number from 1. */
  maxDownloads?: string
  json?: boolean
}

/**
 * `coffer share URL [--expires 7d] [--max-downloads N] [--json]`: makes a share link (it counts its
 * downloads and can be revoked) and prints it.
 */
export async function share(client: Client, target: string, options: ShareOptions): Promise<void> {
  const { bucket, key } = parseCofferUrl(target)
  if (key === '') throw new UsageError(`no object key in ${target}`)
  const body: Record<string, unknown> = { key }
  if (options.expires !== undefined) body.expiresIn = parseDuration(options.expires)
  if (options.maxDownloads !== undefined) {
    const most = Number(options.maxDownloads)
    if (!Number.isSafeInteger(most) || most < 1) {
      throw new UsageError(`--max-downloads is a whole number from 1, not ${options.maxDownloads}`)
    }
    body.maxDownloads = most
  }
  const made = await client.json<Share>(`/v1/buckets/${encodeURIComponent(bucket)}/shares`, 'POST', body)
  if (options.json) return printJson(made)
  print(made.url)
  const times = made.maxDownloads === undefined ? '' : `, ${made.maxDownloads} downloads at most`
  process.stderr.write(`share ${made.id}: until ${made.expiresAt}${times}\n`)
}

/**
 * `coffer shares ls [BUCKET] [--name NAME] [--json]`: a bucket's live share links that this key
 * manages; without a bucket, every bucket's (service admin), those made by keys named NAME.
 */
export async function sharesLs(
  client: Client,
  bucket: string | undefined,
  options: { name?: string; json?: boolean },
): Promise<void> {
  if (bucket !== undefined && options.name !== undefined) {
    throw new UsageError('--name lists every bucket: leave the bucket out')
  }
  const path =
    bucket === undefined
      ? `/v1/shares${options.name === undefined ? '' : `?name=${encodeURIComponent(options.name)}`}`
      : `/v1/buckets/${encodeURIComponent(bucket)}/shares`
  const { shares } = await client.json<{ shares: Share[] }>(path)
  if (options.json) return printJson(shares)
  printTable([
    ['ID', 'OBJECT', 'BY', 'EXPIRES', 'DOWNLOADS'],
    ...shares.map((s) => [
      s.id,
      `${s.bucket}/${s.key}`,
      s.createdByName,
      s.expiresAt,
      s.maxDownloads === undefined ? String(s.downloads) : `${s.downloads}/${s.maxDownloads}`,
    ]),
  ])
}

/** `coffer shares revoke BUCKET ID`: the link stops working at once. */
export async function sharesRevoke(client: Client, bucket: string, id: string): Promise<void> {
  const path = `/v1/buckets/${encodeURIComponent(bucket)}/shares/${encodeURIComponent(id)}`
  await client.request(path, { method: 'DELETE' })
  process.stderr.write(`revoked share ${id}\n`)
}
