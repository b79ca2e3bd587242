import type { CofferClient } from '@coffer/client'
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
  /** A signed render URL of an image instead (`w=200,h=200`), its transform sealed in the signature. */
  transform?: string
}

/**
 * `coffer presign URL [--expires 1h] [--put | --transform 'w=200,h=200'] [--json]`: prints a signed
 * URL; with `--transform`, a signed render URL whose transform the service checks and seals in.
 */
export async function presign(client: CofferClient, target: string, options: PresignOptions): Promise<void> {
  const { bucket, key } = parseCofferUrl(target)
  if (key === '') throw new UsageError(`no object key in ${target}`)
  if (options.put && options.transform !== undefined)
    throw new UsageError('--transform is for downloads, not --put')
  const expiresIn = parseDuration(options.expires ?? '1h')
  const method = options.put ? 'PUT' : 'GET'
  const { url, expiresAt } = await client.objects.sign(bucket, key, {
    method,
    expiresIn,
    transform: options.transform,
  })
  if (options.json) return printJson({ url, method, expiresAt })
  process.stdout.write(`${url}\n`)
}
