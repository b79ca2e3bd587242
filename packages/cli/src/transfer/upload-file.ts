import { isCofferError, type ObjectAttributes } from '@coffer/client'
import type { CofferUrl } from '../coffer-url.ts'
import { fileBody } from './count-bytes.ts'
import { explainRefusal } from './explain-refusal.ts'
import type { LocalFile } from './local-tree.ts'
import { track } from './progress.ts'
import type { TransferContext } from './transfer-context.ts'
import { tusUpload } from './tus-upload.ts'

/** Whether the attributes hold more than tus carries (it takes the type, not cache control or metadata). */
function beyondTus(attributes: ObjectAttributes): boolean {
  return Object.keys(attributes).some((name) => name !== 'contentType')
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
  const resumable = file.size > 0 && file.size >= ctx.resumeThreshold && !beyondTus(ctx.attributes)
  if (ctx.noClobber && resumable && (await objectExists(ctx, target))) return 'skipped'
  try {
    await track(ctx.progress, line, async (begin) => {
      const progress = begin(file.size)
      if (resumable) return tusUpload(ctx, file, target, progress)
      const body = fileBody(file.path, { start: 0, end: file.size }, (sent) => progress.update(sent))
      await ctx.client.objects.upload(target.bucket, target.key, body, {
        ...ctx.attributes,
        size: file.size,
        ifNoneMatch: ctx.noClobber ? '*' : undefined,
      })
    })
  } catch (error) {
    if (ctx.noClobber && isCofferError(error, 'PreconditionFailed')) return 'skipped'
    throw await explainRefusal(ctx, file, target, error)
  }
  return 'done'
}

/** Whether an object exists (a HEAD; `NotFound` is no). */
export function objectExists(ctx: TransferContext, ref: CofferUrl): Promise<boolean> {
  return ctx.client.objects.exists(ref.bucket, ref.key)
}
