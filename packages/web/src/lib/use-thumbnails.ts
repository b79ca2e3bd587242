import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { type CofferClient, onContentOrigin } from '../api/coffer-client.ts'
import { publicRenderUrl } from '../api/render-urls.ts'
import type { Bucket, ObjectSummary } from '../api/types.ts'
import { renderable, thumbnailPlan } from './thumbnail-plan.ts'

/** A signed URL is signed again when it has less than this left (ms): a thumbnail may load late. */
const MIN_LIFE = 5 * 60 * 1000

/** The thumbnail URL of a listed object, or undefined (no render: show its icon). */
export type ThumbnailOf = (object: ObjectSummary) => string | undefined

const versionKey = (object: ObjectSummary) => `${object.key}\n${object.etag}`

/**
 * Thumbnail URLs for the objects of a folder, all on the content origin. A public bucket's are
 * anonymous render URLs versioned by the etag (immutable in the browser's cache). A private
 * bucket's are signed in batches, one request per new page of the listing, and reused while they
 * live, so a reload of the folder does not sign (nor load) them again. Without the sign permission
 * (`canSign`, from whoami, or a refused batch) there are none, and the listing shows icons.
 */
export function useThumbnails(
  client: CofferClient,
  bucket: Bucket | undefined,
  objects: readonly ObjectSummary[],
  canSign: boolean,
): ThumbnailOf {
  const plan = useMemo(() => {
    const planned = thumbnailPlan(bucket)
    // Signing would be refused: icons, without a request bound to fail.
    return planned.kind === 'signed' && !canSign ? ({ kind: 'none' } as const) : planned
  }, [bucket, canSign])
  const signed = useRef(new Map<string, { url: string; expiresAt: number }>())
  const pending = useRef(new Set<string>())
  const refused = useRef(false)
  const [version, setVersion] = useState(0)
  const name = bucket?.name
  const transform = plan.kind === 'signed' ? plan.transform : undefined

  // A new bucket or transform starts a new set of signed URLs.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the bucket's name and transform are the triggers
  useEffect(() => {
    signed.current = new Map()
    pending.current = new Set()
    refused.current = false
  }, [name, transform])

  useEffect(() => {
    if (bucket === undefined || transform === undefined || refused.current) return
    const now = Date.now()
    const wanted = objects.filter((o) => {
      const known = signed.current.get(versionKey(o))
      const fresh = known !== undefined && known.expiresAt - now >= MIN_LIFE
      return renderable(o, bucket) && !fresh && !pending.current.has(versionKey(o))
    })
    if (wanted.length === 0) return
    // The next page may arrive while this one is signed: its request skips what is on its way.
    const cache = signed.current
    const inFlight = pending.current
    for (const object of wanted) inFlight.add(versionKey(object))
    client.objects
      .signRenders(bucket.name, [...new Set(wanted.map((o) => o.key))], transform)
      .then(
        (signedUrls) => {
          const urls = new Map(signedUrls.urls.map(({ key, url }) => [key, url]))
          const expiresAt = Date.parse(signedUrls.expiresAt)
          for (const object of wanted) {
            const url = urls.get(object.key)
            // Only the content origin may show user bytes (and the UI's CSP allows no other).
            if (url !== undefined && onContentOrigin(url)) cache.set(versionKey(object), { url, expiresAt })
          }
          if (signed.current === cache) setVersion((n) => n + 1)
        },
        // Not allowed to sign here (or the server has no batch route): icons, and no retry per page.
        () => {
          refused.current = true
        },
      )
      .finally(() => {
        for (const object of wanted) inFlight.delete(versionKey(object))
      })
  }, [client, bucket, transform, objects])

  // biome-ignore lint/correctness/useExhaustiveDependencies: version says the signed URLs changed
  return useCallback(
    (object: ObjectSummary) => {
      if (bucket === undefined || plan.kind === 'none' || !renderable(object, bucket)) return undefined
      if (plan.kind === 'public') return publicRenderUrl(bucket.name, object.key, plan.query, object.etag)
      return signed.current.get(versionKey(object))?.url
    },
    [bucket, plan, version],
  )
}
