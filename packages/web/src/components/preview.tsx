import { useEffect, useState } from 'react'
import { messageOf } from '../api/api-error.ts'
import { type CofferClient, publicUrl } from '../api/coffer-client.ts'
import type { ObjectDetails } from '../api/types.ts'
import { formatBytes } from '../lib/format.ts'

/** How an object can be shown inline, by its type. */
export type PreviewKind = 'image' | 'pdf' | 'text' | 'csv' | 'video' | 'audio' | 'none'

export function previewKindOf(type: string): PreviewKind {
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
/** Images and PDFs are fetched whole into memory for a blob URL; above this, no preview. */
const BLOB_LIMIT = 64 * 1024 * 1024

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
 * The object shown inline. Private objects are fetched with the key into a blob URL (a page cannot
 * put an Authorization header on an `<img>`); video and audio use a signed URL instead, so the
 * browser streams them with ranges. Objects of public buckets load from their public URL.
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
      if (kind === 'video' || kind === 'audio') {
        const signed = await client.sign(bucket, details.key, 3600).catch(() => undefined)
        if (signed) return { url: signed.url, revoke: false }
      }
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
      return <iframe className="preview preview-pdf" src={loaded.url} title={`Preview of ${name}`} />
    case 'video':
      // biome-ignore lint/a11y/useMediaCaption: user files come without captions
      return <video className="preview preview-media" src={loaded.url} controls preload="metadata" />
    default:
      // biome-ignore lint/a11y/useMediaCaption: user files come without captions
      return <audio className="preview" src={loaded.url} controls preload="metadata" />
  }
}
