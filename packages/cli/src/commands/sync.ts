import type { CofferClient } from '@coffer/client'
import { isCofferUrl } from '../coffer-url.ts'
import { print, printJson } from '../output.ts'
import { describeDeletion, planSync, type SyncPlan } from '../transfer/plan-sync.ts'
import { runDeletions } from '../transfer/run-deletions.ts'
import { runTransfers } from '../transfer/run-transfers.ts'
import { describeTransfer, endpoints, sizeOf } from '../transfer/transfer.ts'
import {
  concurrencyOf,
  filterOf,
  type TransferOptions,
  transferContext,
} from '../transfer/transfer-context.ts'
import { formatBytes } from '../units.ts'

/** Options of `coffer sync`. */
export interface SyncOptions extends TransferOptions {
  /** Delete what is only at the destination. */
  delete?: boolean
  /** Print what would be done; change nothing. */
  dryRun?: boolean
}

/**
 * `coffer sync SRC DST [--delete] [--dry-run] [--concurrency N] [--json]`: a one-way mirror of a local
 * folder to a prefix or of a prefix to a local folder. Prints each transfer and deletion (or what it
 * would do), then a summary; with `--json`, only a JSON report.
 */
export async function sync(
  client: CofferClient,
  src: string,
  dst: string,
  options: SyncOptions,
): Promise<void> {
  const concurrency = concurrencyOf(options)
  const plan = await planSync(client, src, dst, {
    remove: options.delete === true,
    concurrency,
    filter: filterOf(options),
    noClobber: options.clobber === false,
  })
  const dryRun = options.dryRun === true
  const ctx = transferContext(client, options)
  try {
    if (dryRun) {
      for (const transfer of plan.transfers) ctx.progress.log(`(dry run) ${describeTransfer(transfer)}`)
      for (const deletion of plan.deletions)
        ctx.progress.log(`(dry run) delete ${describeDeletion(deletion)}`)
    } else {
      await runTransfers(ctx, plan.transfers, concurrency)
      await runDeletions(ctx, plan.deletions, isCofferUrl(dst) ? src : dst)
    }
  } finally {
    ctx.progress.stop()
  }
  const report = reportOf(plan, dryRun)
  if (options.json) return printJson(report)
  const verb = plan.direction === 'up' ? 'uploaded' : 'downloaded'
  print(
    `${dryRun ? 'dry run: would have ' : ''}${verb} ${report.transferred} (${formatBytes(report.bytes)}), ` +
      `deleted ${report.deleted}, unchanged ${report.unchanged}`,
  )
}

/** The JSON report of a sync. */
function reportOf(plan: SyncPlan, dryRun: boolean) {
  return {
    direction: plan.direction,
    dryRun,
    transferred: plan.transfers.length,
    bytes: plan.transfers.reduce((sum, transfer) => sum + sizeOf(transfer), 0),
    deleted: plan.deletions.length,
    unchanged: plan.unchanged,
    actions: [
      ...plan.transfers.map((transfer) => ({ action: transfer.kind, ...endpoints(transfer) })),
      ...plan.deletions.map((deletion) => ({ action: 'delete', target: describeDeletion(deletion) })),
    ],
  }
}
