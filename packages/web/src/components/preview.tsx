import { useEffect, useState } from 'react'
import { messageOf } from '../api/api-error.ts'
import { type CofferClient, onContentOrigin, publicUrl } from '../api/coffer-client.ts'
import type { ObjectDetails } from '../api/types.ts'
import { formatBytes } from '../lib/format.ts'

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

/** Text previews show the first bytes only. */
const TEXT_BYTES = 256 * 1024
/** Images and media fetched whole into memory for a blob URL (no sign permission); above this, no preview. */
const BLOB_LIMIT = 64 * 1024 * 1024

/**
 * What a preview's signed URL pins: a PDF is answered as exactly `application/pdf`, inline, whatever
 * type it was stored with, so the frame shows Chromium's PDF viewer and never a page.
 */
function pinFor(kind: PreviewKind): { contentType?: string; contentDisposition?: string } {
  return kind === 'pdf' ? { contentType: 'application/pdf', contentDisposition: 'inline' } : {}
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

type Loaded = { url: string; revoke: boolean } | { text: string; truncated: boolean } | { error: string }

/**
 * The object shown inline. Images, PDFs and media load from the content origin, which holds no
 * credentials: public buckets' objects from their public URL, others from a signed URL made with
 * the key. Without the sign permission (or where the store signs its own URLs, on another origin),
 * images and media are fetched with the key into a blob URL (an `<img>` or `<video>` runs no
 * script); PDFs are not shown, since a framed blob would be a document on the UI's own origin.
 * Text and CSV are fetched with the key and shown as text.
 */
export function Preview(props: {
  client: CofferClient
  bucket: string
  isPublic: boolean
  details: ObjectDetails
}) {
  const { client, bucket, isPublic, details } = props
  const kind = previewKindOf(details.contentType)
  const [loaded, setLoaded] = useState<Loaded | undefined>()
  useEffect(() => {
    if (kind === 'none') return
    const controller = new AbortController()
    let url: string | undefined
    const load = async (): Promise<Loaded> => {
      if (kind === 'text' || kind === 'csv') {
        const blob = await client.blob(bucket, details.key, {
          signal: controller.signal,
          range: `bytes=0-${TEXT_BYTES - 1}`,
        })
        return { text: await blob.text(), truncated: details.size > TEXT_BYTES }
      }
      if (isPublic) return { url: publicUrl(bucket, details.key), revoke: false }
      const signed = await client.sign(bucket, details.key, 3600, pinFor(kind)).catch(() => undefined)
      if (signed && onContentOrigin(signed.url)) return { url: signed.url, revoke: false }
      if (kind === 'pdf')
        return { error: 'No preview: PDFs show only through a signed link on the content origin.' }
      if (details.size > BLOB_LIMIT) return { error: `Too large to preview (${formatBytes(details.size)}).` }
      url = URL.createObjectURL(await client.blob(bucket, details.key, { signal: controller.signal }))
      return { url, revoke: true }
    }
    setLoaded(undefined)
    load().then(
      (result) => !controller.signal.aborted && setLoaded(result),
      (error: unknown) => !controller.signal.aborted && setLoaded({ error: messageOf(error) }),
    )
    return () => {
      controller.abort()
      if (url) URL.revokeObjectURL(url)
    }
  }, [client, bucket, isPublic, details, kind])

  if (kind === 'none') return <p className="preview-none muted">No preview for {details.contentType}.</p>
  if (loaded === undefined)
    return (
      <p className="preview-none" aria-busy="true">
        Loading preview…
      </p>
    )
  if ('error' in loaded) return <p className="preview-none error">{loaded.error}</p>
  const name = details.key.slice(details.key.lastIndexOf('/') + 1)
  if ('text' in loaded) {
    const note = loaded.truncated ? <p className="muted">The first {formatBytes(TEXT_BYTES)} only.</p> : null
    if (kind === 'csv') {
      const rows = parseCsv(loaded.text, details.contentType.includes('tab-separated') ? '\t' : ',')
      return (
        <div className="preview preview-table">
          <table>
            <caption className="visually-hidden">First rows of {name}</caption>
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
          {note}
        </div>
      )
    }
    let text = loaded.text
    if (details.contentType.includes('json') && !loaded.truncated) {
      try {
        text = JSON.stringify(JSON.parse(text), null, 2)
      } catch {
        // Not valid JSON after all: shown as it is.
      }
    }
    return (
      <div className="preview">
        <pre className="preview-text">{text}</pre>
        {note}
      </div>
    )
  }
  switch (kind) {
    case 'image':
      return <img className="preview preview-image" src={loaded.url} alt={`Preview of ${name}`} />
    case 'pdf':
      // No sandbox attribute: Chromium shows no PDF in a sandboxed frame. The frame is another origin
      // that holds nothing, and its response is pinned to application/pdf (see pinFor).
      return (
        <iframe
          className="preview preview-pdf"
          src={loaded.url}
          title={`Preview of ${name}`}
          referrerPolicy="no-referrer"
        />
      )
    case 'video':
      // biome-ignore lint/a11y/useMediaCaption: user files come without captions
      return <video className="preview preview-media" src={loaded.url} controls preload="metadata" />
    default:
      // biome-ignore lint/a11y/useMediaCaption: user files come without captions
      return <audio className="preview" src={loaded.url} controls preload="metadata" />
  }
}
