import type { CofferUrl } from '../coffer-url.ts'
import { track } from './progress.ts'
import type { TransferContext } from './transfer-context.ts'

/**
 * Copies (or moves) an object to another key: within a bucket on the service (`POST …/copy` or
 * `…/move`, no bytes through the client); between buckets by streaming the GET's body into the PUT,
 * never held whole, with the object's type, cache control, disposition and metadata, then for a
 * move deleting the source.
 */
export async function copyObject(
  ctx: TransferContext,
  from: CofferUrl,
  to: CofferUrl,
  line: string,
  operation: 'copy' | 'move' = 'copy',
): Promise<void> {
  const { objects } = ctx.client
  await track(ctx.progress, line, async (begin) => {
    if (from.bucket === to.bucket) {
      const info = await objects[operation](to.bucket, from.key, to.key)
      begin(info.size).update(info.size)
      return
    }
    const { head, body } = await objects.download(from.bucket, from.key)
    const progress = begin(head.size)
    const { contentType, cacheControl, contentDisposition, metadata, size } = head
    await objects.upload(to.bucket, to.key, body ?? '', {
      onProgress: (sent) => progress.update(sent),
      contentType: contentType === '' ? undefined : contentType,
      cacheControl,
      contentDisposition,
      metadata,
      size,
    })
    if (operation === 'move') await objects.delete(from.bucket, from.key)
  })
}
