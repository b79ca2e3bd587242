import type { CofferClient } from '@coffer/client'
import { planCopy } from '../transfer/plan-copy.ts'
import { runTransfers } from '../transfer/run-transfers.ts'
import {
  concurrencyOf,
  filterOf,
  type TransferOptions,
  transferContext,
} from '../transfer/transfer-context.ts'

/** Options of `coffer cp` and `coffer mv`. */
export interface CopyOptions extends TransferOptions {
  recursive?: boolean
}

/**
 * `coffer cp SRC DST [-r]`: local → coffer://, coffer:// → local, or coffer:// → coffer://, one file
 * or a folder's tree; streamed, large uploads resumable.
 */
export function cp(client: CofferClient, src: string, dst: string, options: CopyOptions): Promise<void> {
  return copyFiles(client, src, dst, options, false)
}

/** Copies, or with `move` moves (each source deleted once its copy is complete), as `cp` plans. */
export async function copyFiles(
  client: CofferClient,
  src: string,
  dst: string,
  options: CopyOptions,
  move: boolean,
) {
  const transfers = await planCopy(client, src, dst, options.recursive === true, filterOf(options))
  const ctx = transferContext(client, options)
  try {
    await runTransfers(ctx, transfers, concurrencyOf(options), move)
  } finally {
    ctx.progress.stop()
  }
}
