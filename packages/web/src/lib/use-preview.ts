import { useEffect, useState } from 'react'
import { type CofferClient, objectBlob, onContentOrigin } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import type { ObjectDetails } from '../api/types.ts'
import { formatBytes } from './format.ts'
import type { PreviewKind } from './preview-kind.ts'

/** Text previews show the first bytes only. */
export const TEXT_BYTES = 256 * 1024
/** Images and media fetched whole into memory for a blob URL (no sign permission); above this, no preview. */
const BLOB_LIMIT = 64 * 1024 * 1024

/** What a preview loaded: a URL to show, the first bytes as text, or why there is none. */
export type Loaded =
  | { url: string; revoke: boolean }
  | { text: string; truncated: boolean }
  | { error: string }

/**
 * What a preview's signed URL pins: a PDF is answered as exactly `application/pdf`, inline, whatever
 * type it was stored with, so the frame shows Chromium's PDF viewer and never a page.
 */
function pinFor(kind: PreviewKind): { contentType?: string; contentDisposition?: string } {
  return kind === 'pdf' ? { contentType: 'application/pdf', contentDisposition: 'inline' } : {}
}

/**
 * Loads what a preview shows; undefined while loading. Images, PDFs and media come from the content
 * origin, which holds no credentials: public buckets' objects from their public URL, others from a
 * signed URL made with the key. Without the sign permission (or where the store signs its own URLs,
 * on another origin), images and media are fetched with the key into a blob URL (an `<img>` or
 * `<video>` runs no script); PDFs are not shown, since a framed blob would be a document on the UI's
 * own origin. Text and CSV are fetched with the key (their first bytes) and shown as text.
 */
export function usePreview(
  client: CofferClient,
  bucket: string,
  isPublic: boolean,
  details: ObjectDetails,
  kind: PreviewKind,
): Loaded | undefined {
  const [loaded, setLoaded] = useState<Loaded | undefined>()
  useEffect(() => {
    if (kind === 'none') return
    const controller = new AbortController()
    let url: string | undefined
    const load = async (): Promise<Loaded> => {
      if (kind === 'text' || kind === 'csv') {
        const blob = await objectBlob(client, bucket, details.key, {
          signal: controller.signal,
          range: `bytes=0-${TEXT_BYTES - 1}`,
        })
        return { text: await blob.text(), truncated: details.size > TEXT_BYTES }
      }
      if (isPublic) return { url: client.objects.publicUrl(bucket, details.key), revoke: false }
      const signed = await client.objects
        .sign(bucket, details.key, { expiresIn: 3600, ...pinFor(kind) })
        .catch(() => undefined)
      if (signed && onContentOrigin(signed.url)) return { url: signed.url, revoke: false }
      if (kind === 'pdf')
        return { error: 'No preview: PDFs show only through a signed link on the content origin.' }
      if (details.size > BLOB_LIMIT) return { error: `Too large to preview (${formatBytes(details.size)}).` }
      url = URL.createObjectURL(await objectBlob(client, bucket, details.key, { signal: controller.signal }))
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
  return loaded
}
