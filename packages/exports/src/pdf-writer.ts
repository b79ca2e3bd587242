import type { Readable } from 'node:stream'
import { type Column, cellText } from './columns.ts'
import type { ExportRow } from './export-options.ts'
import { FONTS, LAYOUT, TextFitter } from './pdf-table.ts'
import { pace, producedStream } from './produced-stream.ts'

type Document = PDFKit.PDFDocument

/**
 * A PDF made with pdfkit: the title on the first page, then the rows as a table with the header row
 * repeated on every page and the page number in each footer. Pages are written out as they fill
 * (pdfkit's default, no page buffering), so memory holds one page whatever the row count. pdfkit is
 * loaded only when a PDF is made.
 */
export function pdfStream(
  rows: AsyncIterable<ExportRow>,
  columns: readonly Column[],
  title: string,
): Readable {
  return producedStream(async (out) => {
    const { default: PDFDocument } = await import('pdfkit')
    const doc = new PDFDocument({
      size: LAYOUT.size,
      layout: LAYOUT.layout,
      // No bottom margin: pdfkit starts a new page for text below it, and the footer goes there.
      margins: { top: LAYOUT.margin, left: LAYOUT.margin, right: LAYOUT.margin, bottom: 0 },
      autoFirstPage: false,
      info: { Title: title, Producer: 'Coffer' },
      // pdfkit caches the layout of every distinct word it has set, without bound: a million rows of
      // ids and names would keep them all. Its own cache stays off; `PdfTable` gives each page one.
      fontLayoutCache: false,
    })
    doc.registerFont('body', FONTS.body)
    doc.registerFont('bold', FONTS.bold)
    doc.on('data', (chunk: Buffer) => out.write(chunk))
    const ended = new Promise<void>((resolve, reject) => {
      doc.once('end', resolve)
      doc.once('error', reject)
    })
    const table = new PdfTable(doc, columns, title)
    table.newPage()
    let written = 0
    for await (const row of rows) {
      table.row(columns.map((c) => cellText(row[c.key])))
      written += 1
      await pace(out, written)
    }
    doc.end()
    await ended
    out.end()
  })
}

/** The parts of a pdfkit page that outlive it: its objects, referenced from the page tree. */
interface WrittenPage {
  dictionary: { data: object }
  content: { data: object }
  resources: { data: object }
}

/**
 * Drops what pdfkit keeps of a page already written out: the page tree (`Kids`) holds each page's
 * dictionary until the document ends, and through it the page's content and resource objects, ~6 KiB
 * a page; only their ids are needed then. A million rows make ~27,000 pages: 160 MiB kept otherwise.
 */
function releasePage(page: PDFKit.PDFPage): void {
  const written = page as unknown as WrittenPage
  written.dictionary.data = {}
  written.content.data = {}
  written.resources.data = {}
}

/** The part of pdfkit's embedded font that caches the layouts (glyphs, positions) of words. */
interface LayoutCaching {
  layoutCache?: Record<string, unknown>
}

/**
 * Gives every font of the document a fresh, empty layout cache. pdfkit lays each cell out twice
 * (to measure it, then to set it) with fontkit's full OpenType shaping, which took ~70% of a PDF
 * export's time; a cache that lives one page makes the second layout, and the words a page repeats
 * (column values, dates), free, while holding no more than one page's words.
 */
function freshLayoutCaches(doc: Document): void {
  const fonts = (doc as unknown as { _fontFamilies: Record<string, LayoutCaching> })._fontFamilies
  for (const font of Object.values(fonts)) font.layoutCache = Object.create(null) as Record<string, unknown>
}

/** Lays rows out on pages: where the next row goes, when a page is full. */
class PdfTable {
  readonly #doc: Document
  readonly #columns: readonly Column[]
  readonly #title: string
  /** One per font: a character's width differs between the regular and the bold face. */
  readonly #fitters: Record<'body' | 'bold', TextFitter>
  #width = 0
  #page = 0
  #y = 0

  constructor(doc: Document, columns: readonly Column[], title: string) {
    this.#doc = doc
    this.#columns = columns
    this.#title = title
    this.#fitters = { body: new TextFitter(doc), bold: new TextFitter(doc) }
  }

  newPage(): void {
    const doc = this.#doc
    const previous = this.#page > 0 ? doc.page : undefined
    // Without page buffering, addPage writes the previous page out first.
    doc.addPage()
    if (previous !== undefined) releasePage(previous)
    freshLayoutCaches(doc)
    this.#width = doc.page.width - 2 * LAYOUT.margin
    this.#page += 1
    this.#y = LAYOUT.margin
    if (this.#page === 1) {
      doc.font('bold').fontSize(LAYOUT.titleSize)
      doc.text(new TextFitter(doc).fit(this.#title, this.#width), LAYOUT.margin, this.#y, {
        lineBreak: false,
      })
      this.#y += LAYOUT.titleSize * 2
    }
    doc.font('body').fontSize(LAYOUT.footerSize).fillColor('#666666')
    // Measured afresh: the fitters' widths are for the table's size.
    const footer = new TextFitter(doc).fit(`${this.#title} · page ${this.#page}`, this.#width)
    doc.text(footer, LAYOUT.margin, doc.page.height - LAYOUT.margin + 8, { lineBreak: false })
    doc.fillColor('black')
    this.#line(
      'bold',
      this.#columns.map((c) => c.header),
    )
    doc
      .moveTo(LAYOUT.margin, this.#y)
      .lineTo(LAYOUT.margin + this.#width, this.#y)
      .stroke()
  }

  row(cells: string[]): void {
    if (this.#y + LAYOUT.rowHeight > this.#doc.page.height - LAYOUT.margin) this.newPage()
    this.#line('body', cells)
  }

  #line(font: 'body' | 'bold', cells: readonly string[]): void {
    const doc = this.#doc.font(font).fontSize(LAYOUT.fontSize)
    const cellWidth = this.#width / Math.max(1, cells.length)
    const textWidth = Math.max(1, cellWidth - 2 * LAYOUT.cellPadding)
    cells.forEach((text, i) => {
      if (text === '') return
      const x = LAYOUT.margin + i * cellWidth + LAYOUT.cellPadding
      doc.text(this.#fitters[font].fit(text, textWidth), x, this.#y + LAYOUT.cellPadding, {
        lineBreak: false,
      })
    })
    this.#y += LAYOUT.rowHeight
  }
}
