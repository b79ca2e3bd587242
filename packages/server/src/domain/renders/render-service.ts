import { Readable } from 'node:stream'
import { type NormalizedKey, StorageError } from '@coffer/core'
import { acceptedImageTypes, type ImageRenderer, type Transform, transformDigest } from '@coffer/images'
import type { BucketObjects } from '../buckets/bucket-objects.ts'
import type { RenderCache } from './render-cache.ts'

/** A render ready to send: from the cache, or just made. */
export interface RenderResponse {
  /** A strong validator: the render's id, which changes with the source's etag and the transform. */
  etag: string
  contentType: string
  size: number
  body: Readable | Buffer
  /** The format came from `Accept` (`format=auto`): the response must say `Vary: Accept`. */
  variesByAccept: boolean
}

/** What a render request gives besides the source's bucket and key. */
export interface RenderAsk {
  transform: Transform
  accept: string | undefined
  ifNoneMatch: string | undefined
  signal: AbortSignal
}

/**
 * Renders objects through the variant cache: a render is made once per source version, transform
 * and `Accept` class, concurrent first requests for it share the one render (single flight), and
 * later requests read the stored bytes.
 */
export class RenderService {
  readonly renderer: ImageRenderer
  readonly cache: RenderCache
  readonly #inFlight = new Map<string, Promise<{ data: Buffer; contentType: string }>>()

  constructor(renderer: ImageRenderer, cache: RenderCache) {
    this.renderer = renderer
    this.cache = cache
  }

  /** Drops the stored renders of keys that were overwritten, moved or deleted. */
  dropSources(bucket: string, keys: readonly string[]): Promise<void> {
    return this.cache.dropSources(bucket, keys)
  }

  /**
   * The render of `key`, `undefined` when `ifNoneMatch` names its current etag (a 304). Throws the
   * renderer's errors (415, 422, 503 busy, 504) and the source's (404, 403).
   */
  async render(
    objects: BucketObjects,
    key: NormalizedKey,
    ask: RenderAsk,
  ): Promise<RenderResponse | undefined> {
    const source = await objects.stat(key)
    if (!source.contentType.startsWith('image/')) {
      throw new StorageError('UnsupportedMediaType', 'only images are rendered')
    }
    const bucket = objects.bucket.name
    const variesByAccept = (ask.transform.format ?? 'auto') === 'auto'
    const acceptClass = variesByAccept ? classOf(ask.accept) : ''
    const id = transformDigest(ask.transform, bucket, source.key, source.etag, acceptClass)
    const etag = `"r${id}"`
    if (ask.ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) return undefined
    const stored = await this.cache.open(bucket, id, ask.signal)
    if (stored !== undefined) return { etag, variesByAccept, ...stored }
    let making = this.#inFlight.get(id)
    if (making === undefined) {
      making = this.#make(objects, key, id, source.etag, ask, acceptClass).finally(() =>
        this.#inFlight.delete(id),
      )
      this.#inFlight.set(id, making)
    }
    const { data, contentType } = await making
    return { etag, variesByAccept, contentType, size: data.length, body: data }
  }

  async #make(
    objects: BucketObjects,
    key: NormalizedKey,
    id: string,
    sourceEtag: string,
    ask: RenderAsk,
    acceptClass: string,
  ): Promise<{ data: Buffer; contentType: string }> {
    // Not the asker's signal: others may wait for this render; the renderer's time limit bounds it.
    const got = await objects.get(key, {})
    if (got.notModified) throw new StorageError('Internal', 'unexpected 304 from the storage')
    // The source changed between stat and get: this render would be filed under the wrong version.
    if (got.info.etag !== sourceEtag) {
      got.body.destroy()
      throw new StorageError('Conflict', 'the image changed while it was read; try again', {
        retryable: true,
      })
    }
    const rendered = await this.renderer.render(got.body, {
      transform: ask.transform,
      accept: acceptClass,
      allowSvg: objects.bucket.allowSvg === true,
    })
    const { data, contentType } = rendered
    await this.cache.store({
      id,
      bucket: objects.bucket.name,
      key: got.info.key,
      sourceEtag,
      contentType,
      data,
    })
    return { data, contentType }
  }
}

/**
 * The part of `Accept` that decides `format=auto`: browsers send dozens of spellings, but only
 * whether AVIF, WebP or neither is accepted changes the render, so the cache keeps three at most.
 */
function classOf(accept: string | undefined): string {
  const types = acceptedImageTypes(accept)
  if (types.has('image/avif')) return 'image/avif'
  if (types.has('image/webp')) return 'image/webp'
  return ''
}

/** A Readable of a render's bytes, for callers that stream. */
export function renderStream(body: Readable | Buffer): Readable {
  return Buffer.isBuffer(body) ? Readable.from([body]) : body
}
