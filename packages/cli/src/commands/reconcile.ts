import type { CofferClient } from '@coffer/client'
import { print } from '../output.ts'

/**
 * `coffer reconcile [--json]`: runs the index's reconcile job once (`POST /v1/reconcile`, admin) and
 * prints its report: indented JSON, or one line with `--json`.
 */
export async function reconcile(client: CofferClient, options: { json?: boolean }): Promise<void> {
  const report = await client.reconcile()
  print(options.json ? JSON.stringify(report) : JSON.stringify(report, null, 2))
}
