import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Client } from '../client.ts'
import { objectApiPath, parseCofferUrl, UsageError } from '../coffer-url.ts'

/** The object path of a `coffer://BUCKET/KEY` address; refuses an address without a key. */
export function objectPath(target: string): string {
  const ref = parseCofferUrl(target)
  if (ref.key === '') throw new UsageError(`no object key in ${target}`)
  return objectApiPath(ref)
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
