import { parse } from 'csv-parse/sync'
import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { createExport, type ExportRow } from '../src/index.ts'
import { bytesOf, pdfText, useStorage } from './export-fixture.ts'

const { storage } = useStorage()

const people: ExportRow[] = [
  { name: 'Ada', age: 36, active: true, joined: '2024-03-01T10:30:00Z' },
  { name: 'Жанна Дарк', age: 19, active: false, joined: '2024-03-02T00:00:00Z' },
  { name: '=HYPERLINK("http://x.example","click")', age: -5, active: true, joined: null },
]

async function* many(count: number): AsyncGenerator<ExportRow> {
  for (let i = 0; i < count; i++) yield { id: i, label: `row ${i}`, text: 'Ελληνικά' }
}

describe('createExport', () => {
  it('writes CSV per RFC 4180 with formulas neutralised, and it parses back', async () => {
    const rows = [...people, { name: 'a "quoted", multi\nline', age: 1, active: false, joined: '' }]
    const result = await createExport(storage(), rows, { format: 'csv', filename: 'Réunion Été' })
    expect(result).toMatchObject({
      filename: 'Réunion Été.csv',
      contentType: 'text/csv;charset=utf-8',
      rows: 4,
    })
    expect(result.key).toMatch(/^[0-9a-z]{26}-reunion-ete\.csv$/)
    const bytes = await bytesOf(storage(), result.key)
    expect(result.size).toBe(bytes.length)
    const text = bytes.toString('utf8')
    expect(text.startsWith('\ufeff"name","age","active","joined"\r\n')).toBe(true)
    const records = parse(bytes, { bom: true, columns: true }) as Record<string, string>[]
    expect(records).toEqual([
      { name: 'Ada', age: '36', active: 'true', joined: '2024-03-01T10:30:00Z' },
      { name: 'Жанна Дарк', age: '19', active: 'false', joined: '2024-03-02T00:00:00Z' },
      { name: `'=HYPERLINK("http://x.example","click")`, age: '-5', active: 'true', joined: '' },
      { name: 'a "quoted", multi\nline', age: '1', active: 'false', joined: '' },
    ])
    // Quoted as OWASP advises, so that the apostrophe stays inside the field.
    expect(text).toContain(`"'=HYPERLINK(""http://x.example"",""click"")"`)
    const stat = await storage().stat(result.key)
    expect(stat.contentDisposition).toBe(
      `attachment; filename="R_union _t_.csv"; filename*=UTF-8''R%C3%A9union%20%C3%89t%C3%A9.csv`,
    )
  })

  it('neutralises every formula start OWASP lists, in cells and headers', async () => {
    const starts = ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']
    const rows = [Object.fromEntries(starts.map((s, i) => [`c${i}`, s]))]
    const result = await createExport(storage(), rows, {
      format: 'csv',
      filename: 'f.csv',
      columns: [{ key: 'c0', header: '=cmd' }, 'c1', 'c2', 'c3', 'c4', 'c5'],
    })
    const [header, row] = parse(await bytesOf(storage(), result.key), { bom: true }) as string[][]
    expect(header?.[0]).toBe("'=cmd")
    expect(row).toEqual(starts.map((s) => `'${s}`))
  })

  it('quotes a cell holding a bare LF or CR, so that no formula starts a row of its own', async () => {
    // Readers (Excel, Python's csv) split records on a lone LF or CR too: unquoted, "Bob\n=1+2" would
    // put "=1+2" at the start of a new row, past the neutralising of the cell's first character.
    const rows = [
      { name: 'Bob\n=1+2', note: 'ok' },
      { name: 'Ann\r@SUM(1+1)', note: 'ok' },
    ]
    const result = await createExport(storage(), rows, { format: 'csv', filename: 'f.csv' })
    const text = (await bytesOf(storage(), result.key)).toString()
    expect(text).toContain('"Bob\n=1+2"')
    expect(text).toContain('"Ann\r@SUM(1+1)"')
    const parsed = parse(text, { bom: true }) as string[][]
    expect(parsed.slice(1)).toEqual([
      ['Bob\n=1+2', 'ok'],
      ['Ann\r@SUM(1+1)', 'ok'],
    ])
  })

  it('writes JSON as one array and NDJSON as lines, keeping only the given columns', async () => {
    const json = await createExport(storage(), people, { format: 'json', filename: 'people' })
    expect(json.contentType).toBe('application/json')
    expect(JSON.parse((await bytesOf(storage(), json.key)).toString())).toEqual(people)
    const ndjson = await createExport(storage(), people, {
      format: 'ndjson',
      filename: 'p',
      columns: ['name', 'missing'],
    })
    const lines = (await bytesOf(storage(), ndjson.key)).toString().trimEnd().split('\n')
    expect(lines.map((l) => JSON.parse(l))).toEqual(people.map((p) => ({ name: p.name, missing: null })))
    const empty = await createExport(storage(), [], { format: 'json', filename: 'none' })
    expect(JSON.parse((await bytesOf(storage(), empty.key)).toString())).toEqual([])
  })

  it('writes an xlsx with typed cells that exceljs reads back', async () => {
    const rows = [
      ...people,
      { name: 'Date object', age: 2.5, active: 'true', joined: new Date('2025-01-02T03:04:05Z') },
    ]
    const result = await createExport(storage(), rows, {
      format: 'xlsx',
      filename: 'people.xlsx',
      title: 'People: [all]',
      columns: [
        'name',
        'age',
        { key: 'active', type: 'boolean' },
        { key: 'joined', header: 'Joined on', type: 'date' },
      ],
    })
    expect(result.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load((await bytesOf(storage(), result.key)) as unknown as ArrayBuffer)
    const sheet = workbook.worksheets[0]
    if (sheet === undefined) throw new Error('no sheet')
    expect(sheet.name).toBe('People   all')
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1)
    expect(values(1)).toEqual(['name', 'age', 'active', 'Joined on'])
    expect(values(2)).toEqual(['Ada', 36, true, new Date('2024-03-01T10:30:00Z')])
    expect(values(3)).toEqual(['Жанна Дарк', 19, false, new Date('2024-03-02T00:00:00Z')])
    // A formula-looking string is a string cell in xlsx, never a formula.
    expect(sheet.getRow(4).getCell(1).type).toBe(ExcelJS.ValueType.String)
    expect(values(4)).toEqual(['=HYPERLINK("http://x.example","click")', -5, true])
    expect(values(5)).toEqual(['Date object', 2.5, true, new Date('2025-01-02T03:04:05Z')])
    expect(sheet.getRow(5).getCell(4).numFmt).toBe('yyyy-mm-dd hh:mm:ss')
  })

  it('writes a titled, paginated PDF table with its header on every page and non-Latin text', async () => {
    const result = await createExport(storage(), many(120), {
      format: 'pdf',
      filename: 'Отчёт',
      title: 'Квартальный отчёт',
    })
    expect(result).toMatchObject({ contentType: 'application/pdf', filename: 'Отчёт.pdf', rows: 120 })
    const text = await pdfText(await bytesOf(storage(), result.key))
    const pages = text.split('\f').filter((page) => page.trim() !== '')
    expect(pages.length).toBeGreaterThan(2)
    expect(pages[0]).toContain('Квартальный отчёт')
    for (const [i, page] of pages.entries()) {
      expect(page).toMatch(/id\s+label\s+text/)
      expect(page).toContain(`page ${i + 1}`)
    }
    expect(text).toContain('row 0')
    expect(text).toContain('row 119')
    expect(text).toContain('Ελληνικά')
  })

  it('cuts a PDF cell too long for its column with an ellipsis', async () => {
    const result = await createExport(storage(), [{ a: 'x'.repeat(5000), b: 'short' }], {
      format: 'pdf',
      filename: 'w',
    })
    const text = await pdfText(await bytesOf(storage(), result.key))
    expect(text).toMatch(/x+…\s+short/)
  })

  it('takes NDJSON bytes as rows and records the expiry', async () => {
    const body = Buffer.from('{"n":1}\n{"n":2}\n')
    const before = Date.now()
    const result = await createExport(storage(), body, {
      format: 'csv',
      filename: 'n',
      prefix: 'projects/7',
      expiresIn: 3600,
    })
    expect(result.key.startsWith('projects/7/')).toBe(true)
    expect(result.rows).toBe(2)
    expect(result.expiresAt?.getTime()).toBeGreaterThanOrEqual(before + 3_600_000)
    expect((await storage().stat(result.key)).metadata).toEqual({
      'expires-at': result.expiresAt?.toISOString(),
    })
  })
})
