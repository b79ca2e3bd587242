import type { CofferClient } from '../api/coffer-client.ts'
import type { ObjectDetails } from '../api/types.ts'
import { baseName } from '../lib/format.ts'
import { previewKindOf } from '../lib/preview-kind.ts'
import { usePreview } from '../lib/use-preview.ts'
import { TextPreview } from './text-preview.tsx'

/** The object shown inline, by its type; where it loads from is decided in use-preview.ts. */
export function Preview(props: {
  client: CofferClient
  bucket: string
  isPublic: boolean
  details: ObjectDetails
}) {
  const { details } = props
  const kind = previewKindOf(details.contentType)
  const loaded = usePreview(props.client, props.bucket, props.isPublic, details, kind)
  if (kind === 'none') return <p className="preview-none muted">No preview for {details.contentType}.</p>
  if (loaded === undefined)
    return (
      <p className="preview-none" aria-busy="true">
        Loading preview…
      </p>
    )
  if ('error' in loaded) return <p className="preview-none error">{loaded.error}</p>
  const name = baseName(details.key)
  if ('text' in loaded)
    return (
      <TextPreview
        text={loaded.text}
        truncated={loaded.truncated}
        csv={kind === 'csv'}
        contentType={details.contentType}
        name={name}
      />
    )
  switch (kind) {
    case 'image':
      return <img className="preview preview-image" src={loaded.url} alt={`Preview of ${name}`} />
    case 'pdf':
      // No sandbox attribute: Chromium shows no PDF in a sandboxed frame. The frame is another origin
      // that holds nothing, and its response is pinned to application/pdf (see use-preview.ts).
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
