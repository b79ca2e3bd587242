import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as NodeWebReadable } from 'node:stream/web'
import type { CofferClient } from '@coffer/client'
import { type CofferUrl, parseCofferUrl, UsageError } from '../coffer-url.ts'

/** The object of a `coffer://BUCKET/KEY` address; refuses an address without a key. */
export function objectRef(target: string): CofferUrl {
  const ref = parseCofferUrl(target)
  if (ref.key === '') throw new UsageError(`no object key in ${target}`)
  return ref
}

/** `coffer cat URL`: streams the object to stdout. */
export async function cat(client: CofferClient, target: string): Promise<void> {
  const ref = objectRef(target)
  const { body } = await client.objects.download(ref.bucket, ref.key)
  if (body === null) return
  await pipeline(Readable.fromWeb(body as NodeWebReadable), process.stdout, { end: false })
}
