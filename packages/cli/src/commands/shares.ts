import type { CofferClient } from '@coffer/client'
import { parseCofferUrl, UsageError } from '../coffer-url.ts'
import { print, printJson, printTable } from '../output.ts'
import { parseDuration } from '../units.ts'

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
export async function share(client: CofferClient, target: string, options: ShareOptions): Promise<void> {
  const { bucket, key } = parseCofferUrl(target)
  if (key === '') throw new UsageError(`no object key in ${target}`)
  const body: { key: string; expiresIn?: number; maxDownloads?: number } = { key }
  if (options.expires !== undefined) body.expiresIn = parseDuration(options.expires)
  if (options.maxDownloads !== undefined) {
    const most = Number(options.maxDownloads)
    if (!Number.isSafeInteger(most) || most < 1) {
      throw new UsageError(`--max-downloads is a whole number from 1, not ${options.maxDownloads}`)
    }
    body.maxDownloads = most
  }
  const made = await client.shares.create(bucket, body)
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
  client: CofferClient,
  bucket: string | undefined,
  options: { name?: string; json?: boolean },
): Promise<void> {
  if (bucket !== undefined && options.name !== undefined) {
    throw new UsageError('--name lists every bucket: leave the bucket out')
  }
  const shares =
    bucket === undefined
      ? await client.shares.listAll(options.name === undefined ? {} : { name: options.name })
      : await client.shares.list(bucket)
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
export async function sharesRevoke(client: CofferClient, bucket: string, id: string): Promise<void> {
  await client.shares.revoke(bucket, id)
  process.stderr.write(`revoked share ${id}\n`)
}
