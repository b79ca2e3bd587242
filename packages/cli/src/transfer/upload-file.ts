import { type CofferUrl, objectApiPath } from '../coffer-url.ts'
import { fileBody } from './count-bytes.ts'
import type { LocalFile } from './local-tree.ts'
import { track } from './progress.ts'
import type { TransferContext } from './transfer-context.ts'
import { tusUpload } from './tus-upload.ts'

/**
 * Uploads a local file to an object, streamed from disk: one PUT below the context's resume
 * threshold, a resumable tus upload from it on. `line` describes the transfer in the progress report.
 */
export async function uploadFile(
  ctx: TransferContext,
  file: LocalFile,
  target: CofferUrl,
  line: string,
): Promise<void> {
  await track(ctx.progress, line, async (begin) => {
    const progress = begin(file.size)
    if (file.size > 0 && file.size >= ctx.resumeThreshold) return tusUpload(ctx, file, target, progress)
    const response = await ctx.client.request(objectApiPath(target), {
      method: 'PUT',
      headers: { 'content-length': String(file.size) },
      body: fileBody(file.path, { start: 0, end: file.size }, (sent) => progress.update(sent)),
      duplex: 'half',
    })
    await response.body?.cancel()
  })
}
