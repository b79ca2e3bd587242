import { createHash } from 'node:crypto'
import { PassThrough, pipeline, type Readable } from 'node:stream'
import { constants, createBrotliCompress, createGzip } from 'node:zlib'
import type { RenderCache, StoredRender } from '../renders/render-cache.ts'

/** The content codings sites are compressed with (RFC 9110 §8.4.1). */
export type Coding = 'br' | 'gzip'

/** A deploy's file, as served: where it is, its validator, type and size. */
export interface SiteFile {
  /** The bucket and key the file is stored at (the `prototypes` bucket, a deploy's key). */
  bucket: string
  key: string
  /** The stored object's ETag (quoted, as sent). */
  etag: string
  contentType: string
  size: number
}

/** What the cache tells its owner: hits, misses (for a metric), and copies it failed to store. */
export interface CompressionEvents {
  hit(coding: Coding): void
  miss(coding: Coding): void
  storeFailed(error: unknown): void
}

/**
 * The coder for a file: brotli at quality 5 (most of brotli's gain at a fraction of the top levels'
 * time) or gzip at its default level. The parameters are fixed, so the same file always compresses
 * to the same bytes, cached or not: one strong ETag per coding stays truthful.
 */
function coder(coding: Coding, size: number) {
  return coding === 'br'
    ? createBrotliCompress({
        params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: size },
      })
    : createGzip()
}

/**
 * Compressed copies of deploys' files, each computed once and kept in the variant cache
 * (`RenderCache`: under `.coffer/renders/`, bounded in bytes, least recently used first out, dropped
 * with the file it was made from). A deploy never changes, and the file's ETag is part of the
 * cache's id anyway, so a copy is good for as long as the file exists.
 */
export class CompressedFiles {
  readonly #cache: RenderCache
  readonly #events: CompressionEvents | undefined
  /** Copies being stored now: a second request for one is compressed for itself only. */
  readonly #storing = new Set<string>()

  constructor(cache: RenderCache, events?: CompressionEvents) {
    this.#cache = cache
    this.#events = events
  }

  /** The cache's id of a file's copy in a coding. */
  static id(file: SiteFile, coding: Coding): string {
    const digest = createHash('sha256')
      .update(['site-compression', file.bucket, file.key, file.etag, coding].join('\0'))
      .digest('hex')
    return `z${digest.slice(0, 40)}`
  }

  /** The stored copy of `file` in `coding`, or undefined when there is none yet. */
  async open(file: SiteFile, coding: Coding, signal: AbortSignal): Promise<StoredRender | undefined> {
    const stored = await this.#cache.open(file.bucket, CompressedFiles.id(file, coding), signal)
    if (stored !== undefined) this.#events?.hit(coding)
    return stored
  }

  /**
   * `source` (the file's bytes) compressed as it streams; unless the same copy is being stored
   * already (or `store` is false), the compressed bytes also stream into the cache, which keeps
   * them only when the whole file came through. An answer whose client goes away does not stop the
   * copy: the cache reads on. A failing source fails both.
   */
  compress(file: SiteFile, coding: Coding, source: Readable, store = true): Readable {
    this.#events?.miss(coding)
    const id = CompressedFiles.id(file, coding)
    const answer = new PassThrough()
    const copy = store && !this.#storing.has(id) ? new PassThrough() : undefined
    const compressed = pipeline(source, coder(coding, file.size), (error) => {
      if (error === undefined || error === null) return
      answer.destroy(error)
      copy?.destroy(error)
    })
    compressed.pipe(answer)
    if (copy === undefined) return answer
    compressed.pipe(copy)
    this.#storing.add(id)
    const entry = {
      id,
      bucket: file.bucket,
      key: file.key,
      sourceEtag: file.etag,
      contentType: file.contentType,
    }
    this.#cache
      .store({ ...entry, data: copy })
      // A copy not stored is made again by the next request: nothing is lost but the work.
      .catch((error: unknown) => {
        compressed.unpipe(copy)
        this.#events?.storeFailed(error)
      })
      .finally(() => this.#storing.delete(id))
    return answer
  }
}
