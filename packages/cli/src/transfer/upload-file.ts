import { ApiError } from '../client.ts'
import { type CofferUrl, objectApiPath } from '../coffer-url.ts'
import { fileBody } from './count-bytes.ts'
import type { LocalFile } from './local-tree.ts'
import { track } from './progress.ts'
import type { TransferContext } from './transfer-context.ts'
import { tusUpload } from './tus-upload.ts'

/** Whether the upload headers hold more than tus carries (it takes the type, not cache control or metadata). */
function beyondTus(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((name) => name !== 'content-type')
}

/**
 * Uploads a local file to an object, streamed from disk: one PUT below the context's resume
 * threshold, a resumable tus upload from it on (unless `--cache-control` or `--metadata` are given,
 * which only a PUT carries). `line` describes the transfer in the progress report. With
 * `--no-clobber` the PUT is create-only (`If-None-Match: *`) and a tus upload first asks whether the
 * object exists; an existing object is left alone and `'skipped'` returned.
 */
export async function uploadFile(
  ctx: TransferContext,
  file: LocalFile,
  target: CofferUrl,
  line: string,
): Promise<'done' | 'skipped'> {
  const resumable = file.size > 0 && file.size >= ctx.resumeThreshold && !beyondTus(ctx.uploadHeaders)
  if (ctx.noClobber && resumable && (await objectExists(ctx, target))) return 'skipped'
  try {
    await track(ctx.progress, line, async (begin) => {
      const progress = begin(file.size)
      if (resumable) return tusUpload(ctx, file, target, progress)
      const headers: Record<string, string> = { ...ctx.uploadHeaders, 'content-length': String(file.size) }
      if (ctx.noClobber) headers['if-none-match'] = '*'
      const response = await ctx.client.request(objectApiPath(target), {
        method: 'PUT',
        headers,
        body: fileBody(file.path, { start: 0, end: file.size }, (sent) => progress.update(sent)),
        duplex: 'half',
      })
      await response.body?.cancel()
    })
  } catch (error) {
    if (ctx.noClobber && error instanceof ApiError && error.status === 412) return 'skipped'
    throw error
  }
  return 'done'
}

/** Whether an object exists (HEAD; a 404 is no). */
export async function objectExists(ctx: TransferContext, ref: CofferUrl): Promise<boolean> {
  try {
    const response = await ctx.client.request(objectApiPath(ref), { method: 'HEAD' })
    await response.body?.cancel()
    return true
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return false
    throw error
  }
}
