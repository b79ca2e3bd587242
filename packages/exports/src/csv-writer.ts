import { type Options, stringify } from 'csv-stringify/sync'
import { type Column, cellText } from './columns.ts'
import type { ExportRow } from './export-options.ts'

/** Rows formatted per call: fewer, larger strings for the stream, still a few KiB at a time. */
const BATCH = 256

/** Characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection"). */
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * A cell that a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`, and those
 * starting with a tab or CR) gets a leading `'`, as OWASP advises, so it is shown as the text it is.
 * Numbers are not strings here: `-5` from a number column stays a number.
 */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text
}

function cell(value: unknown): string {
  const text = cellText(value)
  return typeof value === 'string' ? neutralizeFormula(text) : text
}

/** Per RFC 4180: CRLF after every record, fields quoted when they hold `"`, `,`, CR or LF, and
 * neutralised formulas quoted as well (OWASP), and any field holding a lone CR or LF: readers split
 * records on those too, and a formula after one would start a row past the neutralising. */
const OPTIONS: Options = { record_delimiter: 'windows', quoted_match: [/^'[=+\-@\t\r]/, /[\r\n]/] }

/**
 * CSV text (RFC 4180) for rows, produced as the rows come. The header row is always quoted, so that
 * no header (`<html>`, `GIF89a`) can make the file's first bytes look like another type. A UTF-8 BOM
 * comes first when `bom` is set, so that Excel reads non-Latin text as UTF-8.
 */
export async function* csvChunks(
  rows: AsyncIterable<ExportRow>,
  columns: readonly Column[],
  opts: { bom: boolean },
): AsyncGenerator<string> {
  const header = stringify([columns.map((c) => neutralizeFormula(c.header))], { ...OPTIONS, quoted: true })
  yield opts.bom ? `\ufeff${header}` : header
  let batch: string[][] = []
  for await (const row of rows) {
    batch.push(columns.map((c) => cell(row[c.key])))
    if (batch.length === BATCH) {
      yield stringify(batch, OPTIONS)
      batch = []
    }
  }
  if (batch.length > 0) yield stringify(batch, OPTIONS)
}
