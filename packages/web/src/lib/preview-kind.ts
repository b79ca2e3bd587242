/** How an object can be shown inline, by its type. */
export type PreviewKind = 'image' | 'pdf' | 'text' | 'csv' | 'video' | 'audio' | 'none'

/** RFC 9110 §8.3.1: `type/subtype` and `; name=value` parameters (token or quoted string), nothing else. */
const STRICT_TYPE =
  /^[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+(?:[ \t]*;[ \t]*[\w!#$%&'*+.^`|~-]+=(?:[\w!#$%&'*+.^`|~-]+|"(?:[^"\\]|\\.)*"))*[ \t]*$/

/**
 * How an object is previewed, by its type. A type that is not exactly one media type (a list such as
 * `application/pdf;,text/html`, which browsers read as its last entry) gets no preview.
 */
export function previewKindOf(type: string): PreviewKind {
  if (!STRICT_TYPE.test(type)) return 'none'
  const base = type.split(';')[0]?.trim().toLowerCase() ?? ''
  // SVG is active content: the server sends it as an attachment, and it is not shown here either.
  if (base.startsWith('image/') && base !== 'image/svg+xml') return 'image'
  if (base === 'application/pdf') return 'pdf'
  if (base === 'text/csv' || base === 'text/tab-separated-values') return 'csv'
  if (base.startsWith('text/') || base === 'application/json' || base.endsWith('+json')) return 'text'
  if (base.startsWith('video/')) return 'video'
  if (base.startsWith('audio/')) return 'audio'
  return 'none'
}

/** A CSV's first rows as cells (quoted fields with commas and doubled quotes; no multi-line fields). */
export function parseCsv(text: string, separator = ',', maxRows = 100): string[][] {
  const rows: string[][] = []
  for (const line of text.split(/\r?\n/)) {
    if (rows.length >= maxRows) break
    if (line === '') continue
    const cells: string[] = []
    let cell = ''
    let quoted = false
    for (let i = 0; i < line.length; i++) {
      const c = line[i]
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') {
          cell += '"'
          i++
        } else if (c === '"') quoted = false
        else cell += c
      } else if (c === '"') quoted = true
      else if (c === separator) {
        cells.push(cell)
        cell = ''
      } else cell += c
    }
    cells.push(cell)
    rows.push(cells)
  }
  return rows
}
