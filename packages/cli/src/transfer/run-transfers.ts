import { TransfersFailed } from '../exit-code-of.ts'
import { runPool } from './run-pool.ts'
import { describeTransfer, runTransfer, type Transfer } from './transfer.ts'
import type { TransferContext } from './transfer-context.ts'

/**
 * Runs transfers, `concurrency` at a time; with `move`, each source goes once its copy is complete.
 * A single transfer fails with its own error; of several, every one runs, each failure is reported
 * on stderr, and then `TransfersFailed` is thrown.
 */
export async function runTransfers(
  ctx: TransferContext,
  transfers: readonly Transfer[],
  concurrency: number,
  move = false,
): Promise<void> {
  const failures = await runPool(transfers, concurrency, (transfer) => runTransfer(ctx, transfer, move))
  const [first] = failures
  if (first === undefined) return
  if (transfers.length === 1) throw first.error
  for (const { item, error } of failures) {
    const message = error instanceof Error ? error.message : String(error)
    process.stderr.write(`coffer: ${describeTransfer(item, move)}: ${message}\n`)
  }
  throw new TransfersFailed(failures.length, transfers.length, first.error)
}
