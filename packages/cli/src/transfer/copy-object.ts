import { type CofferUrl, objectApiPath } from '../coffer-url.ts'
import { countWeb } from './count-bytes.ts'
import { track } from './progress.ts'
import type { TransferContext } from './transfer-context.ts'

/**
 * Copies (or moves) an object to another key: within a bucket on the service (`POST …/copy` or
 * `…/move`, no bytes through the client); between buckets by streaming the GET's body into the PUT,
 * never held whole, then for a move deleting the source.
 */
export async function copyObject(
  ctx: TransferContext,
  from: CofferUrl,
  to: CofferUrl,
  line: string,
  operation: 'copy' | 'move' = 'copy',
): Promise<void> {
  await track(ctx.progress, line, async (begin) => {
    if (from.bucket === to.bucket) {
      const info = await ctx.client.json<{ size: number }>(
        `/v1/buckets/${encodeURIComponent(to.bucket)}/${operation}`,
        'POST',
        { from: from.key, to: to.key },
      )
      begin(info.size).update(info.size)
      return
    }
    const source = await ctx.client.request(objectApiPath(from))
    const length = source.headers.get('content-length')
    const progress = begin(Number(length ?? 0))
    const headers: Record<string, string> = {}
    for (const name of ['content-type', 'cache-control', 'content-disposition']) {
      // The API answers `Cache-Control: private` and every object as an attachment; the object's own
      // values are in x-coffer-cache-control and x-coffer-content-disposition.
      const value =
        name === 'content-type' ? source.headers.get(name) : source.headers.get(`x-coffer-${name}`)
      if (value !== null) headers[name] = value
    }
    if (length !== null) headers['content-length'] = length
    for (const [name, value] of source.headers) if (name.startsWith('x-coffer-meta-')) headers[name] = value
    const body = source.body && countWeb(source.body, (sent) => progress.update(sent))
    const response = await ctx.client.request(objectApiPath(to), {
      method: 'PUT',
      headers,
      body,
      duplex: 'half',
    })
    await response.body?.cancel()
    if (operation === 'move') await ctx.client.request(objectApiPath(from), { method: 'DELETE' })
  })
}
