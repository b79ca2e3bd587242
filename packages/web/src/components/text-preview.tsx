import { formatBytes } from '../lib/format.ts'
import { parseCsv } from '../lib/preview-kind.ts'
import { TEXT_BYTES } from '../lib/use-preview.ts'

/** A CSV's (or TSV's) first rows as a table, the first row as its headers. */
function CsvTable(props: { text: string; separator: string; name: string }) {
  const rows = parseCsv(props.text, props.separator)
  return (
    <table>
      <caption className="visually-hidden">First rows of {props.name}</caption>
      <tbody>
        {rows.map((row, r) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
          <tr key={r}>
            {row.map((cell, c) =>
              // biome-ignore lint/suspicious/noArrayIndexKey: cells have no identity but their place
              r === 0 ? <th key={c}>{cell}</th> : <td key={c}>{cell}</td>,
            )}
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** Indented JSON when the whole document was loaded and parses; else the text as it is. */
function pretty(text: string, contentType: string, truncated: boolean): string {
  if (!contentType.includes('json') || truncated) return text
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text // Not valid JSON after all: shown as it is.
  }
}

/** The first bytes of a text object: a table for CSV, else preformatted text (JSON indented). */
export function TextPreview(props: {
  text: string
  truncated: boolean
  csv: boolean
  contentType: string
  name: string
}) {
  const note = props.truncated ? <p className="muted">The first {formatBytes(TEXT_BYTES)} only.</p> : null
  if (props.csv) {
    const separator = props.contentType.includes('tab-separated') ? '\t' : ','
    return (
      <div className="preview preview-table">
        <CsvTable text={props.text} separator={separator} name={props.name} />
        {note}
      </div>
    )
  }
  return (
    <div className="preview">
      <pre className="preview-text">{pretty(props.text, props.contentType, props.truncated)}</pre>
      {note}
    </div>
  )
}
