import type { Column } from './columns.ts'
import type { ExportRow } from './export-options.ts'

const BATCH = 256

/** The row itself, or only the columns' fields when columns were given. */
function project(row: ExportRow, columns: readonly Column[] | undefined): unknown {
  if (columns === undefined) return row
  const out: Record<string, unknown> = {}
  for (const c of columns) out[c.key] = row[c.key] ?? null
  return out
}

/**
 * One JSON array (`array`) or NDJSON lines, produced as the rows come: the array's brackets and commas
 * are written around each row, so no row list is ever held. Dates become ISO 8601 strings.
 */
export async function* jsonChunks(
  rows: AsyncIterable<ExportRow>,
  columns: readonly Column[] | undefined,
  opts: { array: boolean },
): AsyncGenerator<string> {
  let text = opts.array ? '[' : ''
  let count = 0
  let inBatch = 0
  for await (const row of rows) {
    const json = JSON.stringify(project(row, columns))
    text += opts.array ? `${count === 0 ? '\n' : ',\n'}${json}` : `${json}\n`
    count += 1
    inBatch += 1
    if (inBatch === BATCH) {
      yield text
      text = ''
      inBatch = 0
    }
  }
  if (opts.array) text += count === 0 ? ']\n' : '\n]\n'
  if (text !== '') yield text
}
