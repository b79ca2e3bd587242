import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/**
 * DejaVu Sans (from the `dejavu-fonts-ttf` package), embedded as a subset: it has Latin, Greek,
 * Cyrillic, Armenian, Georgian, Hebrew and Arabic letters and many symbols, which PDF's standard
 * fonts (Latin-1 only) have not. CJK characters are not in it and show as empty boxes.
 */
export const FONTS = {
  body: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
}

/** The page and table geometry, in PDF points (1/72 in): A4 landscape, as a wide table needs. */
export const LAYOUT = {
  size: 'A4',
  layout: 'landscape',
  margin: 36,
  titleSize: 16,
  fontSize: 8,
  rowHeight: 14,
  cellPadding: 3,
  footerSize: 7,
} as const

/** The part of pdfkit's document that `TextFitter` measures with: the current font and size. */
interface Measurer {
  widthOfString(text: string): number
}

const MAX_CACHED_CHARS = 4096

/** The most characters a cell can show: even the narrowest glyphs are wider than a quarter em. */
function maxChars(width: number): number {
  return Math.ceil(width / (LAYOUT.fontSize * 0.25)) + 1
}

/**
 * Cuts a cell's text with `…` to fit a width, on one line. Widths are summed from each character's
 * advance, measured once per character and font (kerning ignored: it only narrows a line), because
 * laying out every cell with the font twice (to measure, then to set) made a PDF of a million rows
 * twice as slow.
 */
export class TextFitter {
  readonly #widths = new Map<string, number>()
  readonly #doc: Measurer

  constructor(doc: Measurer) {
    this.#doc = doc
  }

  #width(text: string): number {
    let total = 0
    for (const char of text) {
      let width = this.#widths.get(char)
      if (width === undefined) {
        // Text of many distinct characters (CJK) must not grow the table without end.
        if (this.#widths.size >= MAX_CACHED_CHARS) this.#widths.clear()
        width = this.#doc.widthOfString(char)
        this.#widths.set(char, width)
      }
      total += width
    }
    return total
  }

  /** `value` on one line, cut to fit `width` at the font and size the document has now. */
  fit(value: string, width: number): string {
    let text = value.replace(/[\r\n\t]+/g, ' ')
    if (text.length > maxChars(width)) text = text.slice(0, maxChars(width))
    if (this.#width(text) <= width) return text
    const chars = Array.from(text)
    const room = width - this.#width('…')
    let total = 0
    let count = 0
    while (count < chars.length && total + this.#width(chars[count] ?? '') <= room) {
      total += this.#width(chars[count] ?? '')
      count += 1
    }
    return `${chars.slice(0, count).join('')}…`
  }
}
