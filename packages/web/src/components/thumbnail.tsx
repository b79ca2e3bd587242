import { useEffect, useMemo, useState } from 'react'
import { thumbHashToDataURL } from 'thumbhash'
import type { Entry } from '../lib/listing.ts'
import { EntryIcon } from './entry-icon.tsx'
import './thumbnails.css'

/** A busy render (503) is tried once more after this long (ms); then the icon stays. */
const RETRY_AFTER = 1500

/** The ThumbHash of a listed image as a tiny PNG data URL (the UI's CSP allows data: images). */
function placeholderOf(entry: Entry): string | undefined {
  const hash = entry.kind === 'object' ? entry.object.image?.thumbhash : undefined
  if (hash === undefined) return undefined
  try {
    return thumbHashToDataURL(Uint8Array.from(atob(hash), (c) => c.charCodeAt(0)))
  } catch {
    return undefined
  }
}

/**
 * An entry's picture: its render from the content origin over its ThumbHash placeholder until the
 * render has loaded, or its icon where there is no render (a folder, another type, a bucket that
 * renders nothing) or the render failed twice. Decorative (`alt=""`): the entry's name is beside it.
 */
export function Thumbnail(props: { entry: Entry; url: string | undefined; size: 'small' | 'large' }) {
  const { entry, url, size } = props
  if (url === undefined) return <EntryIcon entry={entry} />
  return <RenderedThumbnail key={url} entry={entry} url={url} size={size} />
}

function RenderedThumbnail(props: { entry: Entry; url: string; size: 'small' | 'large' }) {
  const { entry, url } = props
  const placeholder = useMemo(() => placeholderOf(entry), [entry])
  const [state, setState] = useState<'loading' | 'loaded' | 'retrying' | 'failed'>('loading')
  const [attempt, setAttempt] = useState(0)
  useEffect(() => {
    if (state !== 'retrying') return
    const timer = setTimeout(() => {
      setAttempt(1)
      setState('loading')
    }, RETRY_AFTER)
    return () => clearTimeout(timer)
  }, [state])
  if (state === 'failed') return <EntryIcon entry={entry} />
  return (
    <span className={`thumb thumb-${props.size}${state === 'loaded' ? ' loaded' : ''}`}>
      {placeholder && state !== 'loaded' ? (
        <img className="thumb-placeholder" src={placeholder} alt="" />
      ) : null}
      {state === 'retrying' ? null : (
        <img
          // A new fragment is a new image request for the browser; the server never sees it.
          src={attempt === 0 ? url : `${url}#retry`}
          className="thumb-image"
          alt=""
          decoding="async"
          loading="lazy"
          referrerPolicy="no-referrer"
          onLoad={() => setState('loaded')}
          onError={() => setState(attempt === 0 ? 'retrying' : 'failed')}
        />
      )}
    </span>
  )
}
