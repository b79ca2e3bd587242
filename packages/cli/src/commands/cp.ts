import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as WebReadable } from 'node:stream/web'
import type { Client } from '../client.ts'
import { encodeKey, isCofferUrl, parseCofferUrl, UsageError } from '../coffer-url.ts'

/** The last segment of a key or path, for a destination ending in `/`. */
function baseName(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? ''
}

/** `coffer cp SRC DST`: one file, local → coffer, coffer → local, or coffer → coffer (same bucket). */
export async function cp(client: Client, src: string, dst: string): Promise<void> {
  const fromRemote = isCofferUrl(src)
  const toRemote = isCofferUrl(dst)
  if (!fromRemote && !toRemote) throw new UsageError('one of SRC and DST must be a coffer:// address')
  const srcName = fromRemote ? baseName(parseCofferUrl(src).key) : basename(src)
  if (srcName === '') throw new UsageError(`no file name in ${src}`)
  if (toRemote) {
    const to = parseCofferUrl(dst)
    const key = to.key === '' || to.key.endsWith('/') ? `${to.key}${srcName}` : to.key
    if (fromRemote) {
      const from = parseCofferUrl(src)
      if (from.bucket !== to.bucket) throw new UsageError('copies between buckets are not supported yet')
      await client.json(`/v1/buckets/${encodeURIComponent(to.bucket)}/copy`, 'POST', {
        from: from.key,
        to: key,
      })
      return
    }
    const body = Readable.toWeb(createReadStream(src)) as unknown as ReadableStream
    await client.request(`/v1/buckets/${encodeURIComponent(to.bucket)}/objects/${encodeKey(key)}`, {
      method: 'PUT',
      body,
      duplex: 'half',
    })
    return
  }
  const from = parseCofferUrl(src)
  if (from.key === '') throw new UsageError(`no object key in ${src}`)
  const target = dst.endsWith('/') ? join(dst, srcName) : dst
  const response = await client.request(
    `/v1/buckets/${encodeURIComponent(from.bucket)}/objects/${encodeKey(from.key)}`,
  )
  const temp = join(dirname(target), `.${basename(target)}.coffer-${randomBytes(6).toString('hex')}`)
  try {
    const body = response.body ? Readable.fromWeb(response.body as WebReadable) : Readable.from([])
    await pipeline(body, createWriteStream(temp, { flags: 'wx' }))
    await rename(temp, target)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}
