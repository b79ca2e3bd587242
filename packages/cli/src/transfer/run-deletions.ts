import { rm, rmdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { ApiError } from '../client.ts'
import type { CofferUrl } from '../coffer-url.ts'
import { type Deletion, describeDeletion } from './plan-sync.ts'
import type { TransferContext } from './transfer-context.ts'

/** Keys per batch-delete request (the service's and S3's limit). */
const BATCH = 1000

/**
 * Deletes what a sync found only at the destination: objects in batches (`POST …/delete`), local
 * files one by one with the folders they leave empty, up to (not including) `root`. Each deletion is
 * reported as a `delete …` line.
 */
export async function runDeletions(
  ctx: TransferContext,
  deletions: readonly Deletion[],
  root: string,
): Promise<void> {
  const remote = deletions.flatMap((d) => (d.kind === 'remote' ? [d.ref] : []))
  for (let start = 0; start < remote.length; start += BATCH) {
    await deleteObjects(ctx, remote.slice(start, start + BATCH))
  }
  for (const deletion of deletions) {
    if (deletion.kind === 'local') {
      await rm(deletion.path)
      await pruneFolders(dirname(deletion.path), resolve(root))
    }
    ctx.progress.log(`delete ${describeDeletion(deletion)}`)
  }
}

async function deleteObjects(ctx: TransferContext, refs: readonly CofferUrl[]): Promise<void> {
  const [first] = refs
  if (first === undefined) return
  const result = await ctx.client.json<{ errors: { key: string; code: string; message: string }[] }>(
    `/v1/buckets/${encodeURIComponent(first.bucket)}/delete`,
    'POST',
    { keys: refs.map((ref) => ref.key) },
  )
  const [failed] = result.errors
  if (failed !== undefined)
    throw new ApiError(failed.code, 200, `could not delete ${failed.key}: ${failed.message}`)
}

/** Removes `folder` and its parents while they are empty, stopping at `root`. */
async function pruneFolders(folder: string, root: string): Promise<void> {
  for (let current = folder; current.startsWith(`${root}/`); current = dirname(current)) {
    try {
      await rmdir(current)
    } catch (error) {
      // A folder that still holds files stays, and so do its parents.
      if ((error as NodeJS.ErrnoException).code === 'ENOTEMPTY') return
      throw error
    }
  }
}
