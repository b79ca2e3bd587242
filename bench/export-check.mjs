/**
 * Opens an export the bench wrote and checks it holds every row, reading it as a stream (a million
 * rows fit in no buffer): CSV parsed with csv-parse, JSON and NDJSON parsed a line (a row) at a time,
 * XLSX read back with exceljs's streaming reader, PDF measured with poppler's pdfinfo and its last
 * page's text extracted with pdftotext. Throws when a count or the last row is wrong.
 */
import { execFile } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'

async function open(storage, key) {
  const { body } = await storage.getObject(key)
  return body
}

/** Rows of a CSV export, its header row excepted. */
async function csvRows(body) {
  const { parse } = await import('csv-parse')
  let records = 0
  for await (const _ of body.pipe(parse({ bom: true, relax_column_count: false }))) records += 1
  return records - 1
}

/** Rows of a JSON array written a row a line, or of NDJSON: each line parsed. */
async function jsonRows(body, array) {
  let rows = 0
  let last = ''
  for await (const line of createInterface({ input: body, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (array && (line === '[' || line === ']')) continue
    JSON.parse(array && line.endsWith(',') ? line.slice(0, -1) : line)
    rows += 1
    last = line
  }
  if (array && rows > 0 && last.endsWith(',')) throw new Error('the JSON array does not close')
  return rows
}

async function xlsxRows(body) {
  const { default: ExcelJS } = await import('exceljs')
  let rows = 0
  for await (const sheet of new ExcelJS.stream.xlsx.WorkbookReader(body, {})) {
    for await (const _ of sheet) rows += 1
  }
  // One header row a sheet.
  return rows
}

async function pdfCheck(body, count) {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-bench-pdf-'))
  try {
    const file = join(dir, 'export.pdf')
    await pipeline(body, createWriteStream(file))
    const run = promisify(execFile)
    const info = (await run('pdfinfo', [file])).stdout
    const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1])
    const last = (await run('pdftotext', ['-f', String(pages), '-l', String(pages), '-layout', file, '-']))
      .stdout
    // The generator's ids run from 0: the last row's id opens a line of the last page.
    if (!new RegExp(`^\\s*${count - 1}\\s`, 'm').test(last))
      throw new Error('the last row is not on the last page')
    return `${pages} pages, last row on the last page`
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Checks the export `result` of `count` rows in `format`; returns what was checked. */
export async function checkExport(storage, result, count, format) {
  const body = await open(storage, result.key)
  if (format === 'pdf') return pdfCheck(body, count)
  const rows =
    format === 'csv'
      ? await csvRows(body)
      : format === 'xlsx'
        ? await xlsxRows(body)
        : await jsonRows(body, format === 'json')
  const expected = format === 'xlsx' ? count + Math.ceil(count / 1_048_575) : count
  if (rows !== expected) throw new Error(`${format}: ${rows} rows read back, ${expected} expected`)
  return `${rows} rows read back`
}
