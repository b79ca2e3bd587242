import { rm, rmdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { deleteObjects } from './delete-objects.ts'
import { type Deletion, describeDeletion } from './plan-sync.ts'
import type { TransferContext } from './transfer-context.ts'

/**
 * Deletes what a sync found only at the destination: objects in batches, local
 * files one by one with the folders they leave empty, up to (not including) `root`. Each deletion is
 * reported as a `delete …` line.
 */
export async function runDeletions(
  ctx: TransferContext,
  deletions: readonly Deletion[],
  root: string,
): Promise<void> {
  const remote = deletions.flatMap((d) => (d.kind === 'remote' ? [d.ref] : []))
  const [first] = remote
  if (first !== undefined) {
    await deleteObjects(ctx.client, first.bucket, { keys: remote.map((ref) => ref.key) })
  }
  for (const deletion of deletions) {
    if (deletion.kind === 'local') {
      await rm(deletion.path)
      await pruneFolders(dirname(deletion.path), resolve(root))
    }
    ctx.progress.log(`delete ${describeDeletion(deletion)}`)
  }
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
