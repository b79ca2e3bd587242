import {
  isStorageError,
  type ObjectInfo,
  parseMediaType,
  type StorageService,
  type UploadBody,
} from '@coffer/core'
import type { ImageRenderer } from '@coffer/images'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.ts'
import type { Bucket } from '../buckets/bucket-store.ts'

/** What the index and object info say about an uploaded image. */
export interface ImageFacts {
  /** Displayed width and height (EXIF orientation applied). */
  width: number
  height: number
  /** A ThumbHash placeholder, base64, for UIs to show while the image loads. */
  thumbhash: string
}

/** Types whose uploads are probed (and stripped, where the bucket says so): raster images libvips decodes. */
const RASTER = /^image\/(jpeg|png|webp|gif|avif|heic|heif|tiff)$/

/** Why a probe may find nothing without the upload failing: busy, slow, or not really an image. */
const UNDESCRIBED = ['Unavailable', 'Timeout', 'UnsupportedMediaType', 'UnprocessableContent'] as const

/**
 * The image side of uploads: stripping EXIF/GPS/XMP before an image is stored in a bucket whose
 * policy says `stripMetadata`, and recording the size and ThumbHash of images once stored.
 */
export class ImageUploads {
  readonly #db: Kysely<Database>
  readonly #storage: StorageService
  readonly #renderer: ImageRenderer

  constructor(db: Kysely<Database>, storage: StorageService, renderer: ImageRenderer) {
    this.#db = db
    this.#storage = storage
    this.#renderer = renderer
  }

  /**
   * The body to store: for a declared raster image in a bucket with `stripMetadata`, the image
   * re-written without its metadata (an image that does not decode is refused: 415 or 422), else
   * the body as it came.
   */
  async prepare(bucket: Bucket, body: UploadBody, contentType: string | undefined): Promise<UploadBody> {
    // A type that does not parse strictly is left to the storage, which refuses it (400).
    const type = contentType === undefined ? undefined : parseMediaType(contentType)?.essence
    if (bucket.stripMetadata !== true || type === undefined || !RASTER.test(type)) return body
    const source = typeof body === 'string' ? Buffer.from(body) : body
    const limit = bucket.maxFileSize === undefined ? {} : { maxInputBytes: bucket.maxFileSize }
    return (await this.#renderer.stripMetadata(source, limit)).data
  }

  /**
   * Probes a stored raster image and records its facts on its index row (only while the row still
   * holds that version). Undefined for other types, and when the image cannot be probed now
   * (renders busy or slow) or at all: the upload stands, only its facts are missing.
   */
  async describe(bucket: string, storageKey: string, info: ObjectInfo): Promise<ImageFacts | undefined> {
    if (!RASTER.test(parseMediaType(info.contentType)?.essence ?? '')) return undefined
    let facts: ImageFacts
    try {
      const got = await this.#storage.getObject(storageKey)
      if (got.notModified) return undefined
      const probe = await this.#renderer.probe(got.body)
      facts = { width: probe.width, height: probe.height, thumbhash: probe.thumbhash }
    } catch (error) {
      if (isStorageError(error, ...UNDESCRIBED)) return undefined
      throw error
    }
    await this.#db
      .updateTable('objects')
      .set(facts)
      .where('bucket', '=', bucket)
      .where('key', '=', info.key)
      .where('etag', '=', info.etag)
      .execute()
    return facts
  }
}
