import type { Readable } from 'node:stream'
import { type Column, cellValue } from './columns.ts'
import type { ExportRow } from './export-options.ts'
import { pace, producedStream } from './produced-stream.ts'

/** Excel's limits: rows in a sheet (with its header row), characters in a cell, in a sheet name. */
const MAX_SHEET_ROWS = 1_048_576
const MAX_CELL_TEXT = 32_767
const MAX_SHEET_NAME = 31
const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss'

/** A name Excel accepts for a sheet: none of `[]:*?/\`, at most 31 characters, not empty. */
function sheetName(title: string, part: number): string {
  const suffix = part === 1 ? '' : ` (${part})`
  const base = title.replace(/[[\]:*?/\\]/g, ' ').trim() || 'Export'
  return `${base.slice(0, MAX_SHEET_NAME - suffix.length)}${suffix}`
}

function typed(row: ExportRow, column: Column) {
  const value = cellValue(row[column.key], column.type)
  return typeof value === 'string' && value.length > MAX_CELL_TEXT ? value.slice(0, MAX_CELL_TEXT) : value
}

/**
 * An .xlsx workbook written with exceljs's streaming `WorkbookWriter`: each row is committed (written
 * out and dropped) as it comes, strings are inline (no shared-string table held in memory), and cells
 * keep their types: numbers, booleans and dates (shown as `yyyy-mm-dd hh:mm:ss`). Rows past Excel's
 * 1,048,576 a sheet go on in another sheet. exceljs is loaded only when an xlsx is made.
 */
export function xlsxStream(
  rows: AsyncIterable<ExportRow>,
  columns: readonly Column[],
  title: string,
): Readable {
  return producedStream(async (out) => {
    const { default: ExcelJS } = await import('exceljs')
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useStyles: true,
      useSharedStrings: false,
    })
    let part = 0
    const addSheet = () => {
      part += 1
      const sheet = workbook.addWorksheet(sheetName(title, part), { views: [{ state: 'frozen', ySplit: 1 }] })
      sheet.columns = columns.map((c) => ({
        header: c.header,
        key: c.key,
        width: Math.min(60, c.header.length + 12),
      }))
      sheet.getRow(1).font = { bold: true }
      sheet.getRow(1).commit()
      return sheet
    }
    let sheet = addSheet()
    let inSheet = 1
    let written = 0
    for await (const row of rows) {
      if (inSheet === MAX_SHEET_ROWS) {
        sheet.commit()
        sheet = addSheet()
        inSheet = 1
      }
      const added = sheet.addRow(columns.map((c) => typed(row, c)))
      added.eachCell((cell) => {
        if (cell.value instanceof Date) cell.numFmt = DATE_FORMAT
      })
      added.commit()
      inSheet += 1
      written += 1
      // exceljs hands committed rows to zlib without waiting for it: see `pace`.
      await pace(out, written)
    }
    sheet.commit()
    await workbook.commit()
  })
}
