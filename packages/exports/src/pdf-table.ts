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

/** The part of pdfkit's document that `fitText` measures with. */
interface Measurer {
  widthOfString(text: string): number
}

/** The most characters a cell can show: even the narrowest glyphs are wider than a quarter em. */
function maxChars(width: number): number {
  return Math.ceil(width / (LAYOUT.fontSize * 0.25)) + 1
}

/**
 * A cell's text on one line, cut with `…` to fit `width`: only the line is measured (one binary search
 * over its length when it is too wide), never wrapped, so a long value costs no more than a short one.
 */
export function fitText(doc: Measurer, value: string, width: number): string {
  let text = value.replace(/[\r\n\t]+/g, ' ')
  if (text.length > maxChars(width)) text = text.slice(0, maxChars(width))
  if (doc.widthOfString(text) <= width) return text
  let low = 0
  let high = text.length
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (doc.widthOfString(`${text.slice(0, mid)}…`) <= width) low = mid
    else high = mid - 1
  }
  return `${text.slice(0, low)}…`
}
