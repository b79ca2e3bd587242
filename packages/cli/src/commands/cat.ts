import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Client } from '../client.ts'
import { encodeKey, parseCofferUrl, UsageError } from '../coffer-url.ts'

/** The object path of a `coffer://BUCKET/KEY` address; refuses an address without a key. */
export function objectPath(target: string): string {
  const { bucket, key } = parseCofferUrl(target)
  if (key === '') throw new UsageError(`no object key in ${target}`)
  return `/v1/buckets/${encodeURIComponent(bucket)}/objects/${encodeKey(key)}`
}

/** `coffer cat URL`: streams the object to stdout. */
export async function cat(client: Client, target: string): Promise<void> {
  const response = await client.request(objectPath(target))
  if (response.body === null) return
  await pipeline(
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
    process.stdout,
    {
      end: false,
    },
  )
}
