import type { Client } from '../client.ts'
import { parseCofferUrl, UsageError } from '../coffer-url.ts'

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 }

/** Parses a duration such as `30s`, `15m`, `1h`, `7d` (or bare seconds) into seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim())
  if (!match) throw new UsageError(`bad duration: ${text} (use e.g. 30s, 15m, 1h, 7d)`)
  return Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1)
}

/**
 * `coffer presign URL [--expires 1h] [--put | --transform 'w=200,h=200']`: prints a signed URL; with
 * `--transform`, a signed render URL whose transform the service checks and seals in the signature.
 */
export async function presign(
  client: Client,
  target: string,
  options: { expires?: string; put?: boolean; transform?: string },
): Promise<void> {
  const { bucket, key } = parseCofferUrl(target)
  if (key === '') throw new UsageError(`no object key in ${target}`)
  if (options.put && options.transform !== undefined)
    throw new UsageError('--transform is for downloads, not --put')
  const expiresIn = parseDuration(options.expires ?? '1h')
  const { url } = await client.json<{ url: string }>(
    `/v1/buckets/${encodeURIComponent(bucket)}/sign`,
    'POST',
    {
      key,
      method: options.put ? 'PUT' : 'GET',
      expiresIn,
      ...(options.transform === undefined ? {} : { transform: options.transform }),
    },
  )
  process.stdout.write(`${url}\n`)
}
