import type { Client } from '../client.ts'
import { parseCofferUrl, UsageError } from '../coffer-url.ts'
import { printJson } from '../output.ts'
import { parseDuration } from '../units.ts'

/** Options of `coffer presign`. */
export interface PresignOptions {
  /** Lifetime: `30s`, `15m`, `2h30m`, `7d` (default `1h`). */
  expires?: string
  /** A URL to upload with PUT instead of one to download. */
  put?: boolean
  /** Print `{ url, method, expiresAt }` as JSON instead of the bare URL. */
  json?: boolean
}

/** `coffer presign URL [--expires 1h] [--put] [--json]`: prints a signed URL. */
export async function presign(client: Client, target: string, options: PresignOptions): Promise<void> {
  const { bucket, key } = parseCofferUrl(target)
  if (key === '') throw new UsageError(`no object key in ${target}`)
  const expiresIn = parseDuration(options.expires ?? '1h')
  const method = options.put ? 'PUT' : 'GET'
  const { url, expiresAt } = await client.json<{ url: string; expiresAt: string }>(
    `/v1/buckets/${encodeURIComponent(bucket)}/sign`,
    'POST',
    { key, method, expiresIn },
  )
  if (options.json) return printJson({ url, method, expiresAt })
  process.stdout.write(`${url}\n`)
}
