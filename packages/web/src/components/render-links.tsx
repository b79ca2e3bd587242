import { useEffect, useState } from 'react'
import type { CofferClient } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import { publicRenderUrl } from '../api/render-urls.ts'
import type { Bucket, ObjectSummary } from '../api/types.ts'
import { renderable, renderLinksOf } from '../lib/thumbnail-plan.ts'

/** Signed links in the details panel live this long (seconds): long enough to be pasted somewhere. */
const LINK_LIFE = 24 * 3600

/**
 * Links to an image's renders on the content origin: the bucket's named variants and, where any
 * render may be asked for, a few widths. A public bucket's are its anonymous render URLs (what an
 * app would put in an `<img>`); a private bucket's are signed, with the render sealed in, and need
 * the sign permission. Each opens in a new tab or is copied.
 */
export function RenderLinks(props: {
  client: CofferClient
  bucket: Bucket | undefined
  object: ObjectSummary
  /** Whether the credential may sign here; a private bucket's links need it. */
  canSign: boolean
}) {
  const { client, bucket, object } = props
  const [urls, setUrls] = useState<string[] | { error: string } | undefined>()
  const [copied, setCopied] = useState<string | undefined>()
  const signable = bucket?.public === true || props.canSign
  const links = bucket && signable && renderable(object, bucket) ? renderLinksOf(bucket) : []
  const wanted = links.map((l) => l.transform).join('\n')
  // biome-ignore lint/correctness/useExhaustiveDependencies: `wanted` stands for the links
  useEffect(() => {
    setUrls(undefined)
    setCopied(undefined)
    if (bucket === undefined || links.length === 0) return
    if (bucket.public) {
      setUrls(links.map((l) => publicRenderUrl(bucket.name, object.key, l.query)))
      return
    }
    let live = true
    Promise.all(
      links.map((l) =>
        client.objects.signRenders(bucket.name, [object.key], l.transform, { expiresIn: LINK_LIFE }),
      ),
    ).then(
      (signed) => live && setUrls(signed.map((s) => s.urls.find((u) => u.key === object.key)?.url ?? '')),
      (error: unknown) => live && setUrls({ error: messageOf(error) }),
    )
    return () => {
      live = false
    }
  }, [client, bucket?.name, bucket?.public, object.key, object.etag, wanted])
  if (links.length === 0) return null
  const copy = (label: string, url: string) =>
    navigator.clipboard.writeText(url).then(
      () => setCopied(`Link to ${label} copied.`),
      () => setCopied('Copying was refused by the browser.'),
    )
  return (
    <section className="render-links" aria-label="Renders">
      <h3>Renders</h3>
      {urls === undefined ? (
        <p className="muted" aria-busy="true">
          Making links…
        </p>
      ) : null}
      {urls !== undefined && 'error' in urls ? <p className="muted">No links: {urls.error}</p> : null}
      {Array.isArray(urls) ? (
        <ul>
          {links.map((link, i) => (
            <li key={link.label}>
              <a href={urls[i]} target="_blank" rel="noopener noreferrer">
                {link.label}
              </a>
              <span className="muted">{link.note}</span>
              <button
                type="button"
                className="small"
                aria-label={`Copy link to ${link.label}`}
                onClick={() => copy(link.label, urls[i] ?? '')}
              >
                Copy
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <p className="muted" role="status">
        {copied}
      </p>
    </section>
  )
}
