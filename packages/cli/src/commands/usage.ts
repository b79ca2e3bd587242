import type { CofferClient } from '@coffer/client'
import { print, printJson, printTable } from '../output.ts'
import { formatBytes } from '../units.ts'

/**
 * `coffer usage [BUCKET] [--json]`: the service's usage (`GET /v1/usage`) or one bucket's
 * (`GET /v1/buckets/BUCKET/usage`): totals and quotas, then a table of days. Fields this version
 * does not know are printed too, so a newer service's report is never hidden.
 */
export async function usage(client: CofferClient, bucket: string | undefined, options: { json?: boolean }) {
  const report: Record<string, unknown> =
    bucket === undefined ? await client.usage() : await client.usage(bucket)
  if (options.json) return printJson(report)
  printReport(report)
}

/** Byte counts read better with units: fields named like `bytes`, `quotaBytes`, `bytesIn`. */
function cell(name: string, value: unknown): string {
  if (typeof value === 'number' && /bytes/i.test(name)) return `${formatBytes(value)} (${value})`
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
}

/** Scalars as `name  value` lines, then each list of records as a table. */
export function printReport(report: Record<string, unknown>): void {
  const scalars = Object.entries(report).filter(([, v]) => !Array.isArray(v))
  printTable(scalars.map(([name, value]) => [name, cell(name, value)]))
  for (const [name, list] of Object.entries(report)) {
    if (!Array.isArray(list)) continue
    print('')
    print(`${name}:`)
    if (list.length === 0) {
      print('  (none)')
      continue
    }
    const columns = [...new Set(list.flatMap((row) => Object.keys(row as object)))]
    printTable([
      columns,
      ...list.map((row) => columns.map((c) => cell(c, (row as Record<string, unknown>)[c] ?? ''))),
    ])
  }
}
