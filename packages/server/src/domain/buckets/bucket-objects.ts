import { pipeline } from 'node:stream'
import {
  compareKeys,
  type DeleteResult,
  type GetObjectOptions,
  isStorageError,
  type ListOptions,
  type ListResult,
  type NormalizedKey,
  type NotModified,
  normalizeKey,
  type ObjectInfo,
  type ObjectStream,
  type PresignOptions,
  StorageError,
  type StorageService,
  toReadable,
  type UploadBody,
  type UploadOptions,
} from '@coffer/core'
import type { Actor, ObjectCatalog } from '../../catalog/object-catalog.ts'
import { Reservation } from '../../catalog/quota.ts'
import type { Metrics } from '../../support/metrics.ts'
import type { Bucket } from './bucket-store.ts'

/** What a bucket's objects live on: the storage, and the index that mirrors it. */
export interface ObjectServices {
  storage: StorageService
  catalog: ObjectCatalog
  metrics?: Metrics
}

/**
 * A bucket's objects on the one configured storage, as one actor sees them: every key lives under
 * `<bucket>/`, so buckets never see each other's objects. Keys go in and come out without that
 * prefix, and errors are rewritten to name the bucket's key, not the storage's. Every change is
 * recorded in the index after the storage made it (the index follows the store, never leads it), and
 * writes into a bucket with a quota reserve their room first.
 */
export class BucketObjects {
  readonly bucket: Bucket
  readonly actor: Actor
  /** Bytes this instance wrote (uploads and copies), for the usage statistics. */
  bytesIn = 0
  readonly #storage: StorageService
  readonly #index: ObjectCatalog
  readonly #metrics: Metrics | undefined
  readonly #root: string

  constructor(services: ObjectServices, bucket: Bucket, actor: Actor) {
    this.#storage = services.storage
    this.#index = services.catalog
    this.#metrics = services.metrics
    this.bucket = bucket
    this.actor = actor
    this.#root = `${bucket.name}/`
  }

  get #hasQuota(): boolean {
    return this.bucket.quotaBytes !== undefined || this.bucket.quotaObjects !== undefined
  }

  /**
   * Records a stored object in the index, ending its reservation in the same transaction. When the
   * quota turns out to have no room for it after all (see `Reservation.commitIn`), the stored object
   * is removed again and `QuotaExceeded` thrown.
   */
  async #record(
    info: ObjectInfo,
    action: string,
    reservation?: Reservation,
    detail?: Record<string, unknown>,
  ) {
    const entry = { action, bucket: this.bucket.name, key: info.key, detail: { size: info.size, ...detail } }
    try {
      await this.#index.put(
        this.bucket.name,
        info,
        this.actor,
        entry,
        reservation && ((tx, change) => reservation.commitIn(tx, change)),
      )
    } catch (error) {
      if (isStorageError(error, 'QuotaExceeded')) {
        // The key holds the refused object now (what it replaced is gone): index and store lose it.
        await this.#call(() => this.#storage.deleteObject(this.#root + info.key))
        await this.#index.remove(this.bucket.name, [info.key], this.actor)
      }
      throw error
    }
    this.bytesIn += info.size
  }

  /**
   * The storage key of a bucket key. A bucket name is a valid key segment, so a normalised key under
   * it is normalised too: no rule needs checking again.
   */
  storageKey(key: NormalizedKey): NormalizedKey {
    return (this.#root + key) as NormalizedKey
  }

  #strip(key: string): string {
    return key.startsWith(this.#root) ? key.slice(this.#root.length) : key
  }

  #info(info: ObjectInfo): ObjectInfo {
    return { ...info, key: this.#strip(info.key) }
  }

  /**
   * Uploads under the bucket's policy: its size limit, allowed types, quota and visibility; a
   * zero-byte folder marker is exempt from the first three.
   */
  async upload(key: NormalizedKey, body: UploadBody, opts: Omit<UploadOptions, 'key'>): Promise<ObjectInfo> {
    const { bucket } = this
    const options: UploadOptions & { key: string } = {
      ...opts,
      key: this.storageKey(key),
      visibility: bucket.public ? 'public' : 'private',
    }
    // A folder marker (`photos/`, zero bytes, as the S3 console makes them) holds nothing that a
    // type, size or quota rule is about: it is exempt, and not one byte more may come with it.
    const marker = key.endsWith('/') && opts.contentLength === 0
    if (marker) options.maxSize = 0
    else {
      if (bucket.maxFileSize !== undefined) options.maxSize = bucket.maxFileSize
      if (bucket.allowedTypes !== undefined) options.allowedTypes = bucket.allowedTypes
    }
    this.#metrics?.uploadsInFlight.inc()
    let reservation: Reservation | undefined
    try {
      if (!marker) reservation = await this.#reserve(key, opts.contentLength)
      let input: UploadBody = body
      if (reservation) {
        // The meter fails the upload at the first byte the quota has no room for; the core then
        // destroys the body, and pipeline the source.
        input = pipeline(toReadable(body).stream, reservation.meter(), () => undefined)
      }
      const info = this.#info(await this.#call(() => this.#storage.upload(input, options)))
      await this.#record(info, 'object.put', reservation)
      return info
    } catch (error) {
      if (isStorageError(error) && error.code === 'QuotaExceeded') {
        this.#metrics?.quotaRefusals.inc({ bucket: bucket.name })
      }
      throw error
    } finally {
      this.#metrics?.uploadsInFlight.dec()
      await reservation?.release()
    }
  }

  /** Throws `QuotaExceeded` when the bucket's quota has no room for `bytes` more at `key` now. */
  async checkRoom(key: NormalizedKey, bytes: number): Promise<void> {
    await (await this.#reserve(key, bytes))?.release()
  }

  /** Room in the bucket's quota for writing `key`, when the bucket has a quota. */
  async #reserve(key: NormalizedKey, bytes: number | undefined): Promise<Reservation | undefined> {
    if (!this.#hasQuota) return undefined
    return Reservation.open(this.#index, this.bucket.name, key, bytes)
  }

  async get(key: NormalizedKey, opts: GetObjectOptions): Promise<ObjectStream | NotModified> {
    const result = await this.#call(() => this.#storage.getObject(this.storageKey(key), opts))
    // Not a copy: spreading would make the body of an answer that carries `bytes`.
    result.info = this.#info(result.info)
    return result
  }

  async stat(key: NormalizedKey): Promise<ObjectInfo> {
    return this.#info(await this.#call(() => this.#storage.stat(this.storageKey(key))))
  }

  async delete(key: NormalizedKey): Promise<void> {
    await this.#call(() => this.#storage.deleteObject(this.storageKey(key)))
    await this.#index.remove(this.bucket.name, [key], this.actor)
  }

  /**
   * Deletes the given keys or every key under a non-empty prefix; failures are reported per key. Keys
   * are checked here, so that an invalid one is reported by the name its caller gave.
   */
  async deleteMany(target: string[] | { prefix: string }): Promise<DeleteResult> {
    const refused: DeleteResult['errors'] = []
    let storageTarget: string[] | { prefix: string }
    if (Array.isArray(target)) {
      storageTarget = []
      for (const key of target) {
        try {
          storageTarget.push(this.storageKey(normalizeKey(key)))
        } catch (error) {
          if (!isStorageError(error)) throw error
          refused.push({ key: String(key), code: error.code, message: error.message })
        }
      }
    } else storageTarget = { prefix: this.#root + target.prefix }
    const result =
      Array.isArray(storageTarget) && storageTarget.length === 0
        ? { deleted: [], errors: [] }
        : await this.#call(() => this.#storage.deleteObjects(storageTarget))
    const deleted = result.deleted.map((key) => this.#strip(key)).sort(compareKeys)
    await this.#index.remove(this.bucket.name, deleted, this.actor)
    // Deletes run concurrently and finish in any order; the answer lists keys in key order. The
    // storage's own failures name no key in their message (the key is beside it).
    const failed = result.errors.map((e) => ({ ...e, key: this.#strip(e.key) }))
    return { deleted, errors: [...refused, ...failed].sort((a, b) => compareKeys(a.key, b.key)) }
  }

  async list(opts: ListOptions): Promise<ListResult> {
    const result = await this.#call(() =>
      this.#storage.listObjects({ ...opts, prefix: this.#root + (opts.prefix ?? '') }),
    )
    const page: ListResult = {
      objects: result.objects.map((o) => ({ ...o, key: this.#strip(o.key) })),
      prefixes: result.prefixes.map((p) => this.#strip(p)),
    }
    if (result.cursor !== undefined) page.cursor = result.cursor
    return page
  }

  /** Whether the bucket holds no object at all. */
  async isEmpty(): Promise<boolean> {
    const page = await this.#call(() => this.#storage.listObjects({ prefix: this.#root, limit: 1 }))
    return page.objects.length === 0
  }

  async copy(from: NormalizedKey, to: NormalizedKey): Promise<ObjectInfo> {
    const source = this.storageKey(from)
    const size = this.#hasQuota ? (await this.#call(() => this.#storage.stat(source))).size : undefined
    const reservation = await this.#reserve(to, size)
    try {
      const target = this.storageKey(to)
      const info = this.#info(await this.#call(() => this.#storage.copy(source, target)))
      if (reservation) {
        // The source may have grown since its size was reserved: the copy must fit, or it goes.
        await reservation.cover(info.size).catch(async (error: unknown) => {
          await this.#call(() => this.#storage.deleteObject(target))
          await this.#index.remove(this.bucket.name, [info.key], this.actor)
          throw error
        })
      }
      await this.#record(info, 'object.copy', reservation, { from })
      return info
    } finally {
      await reservation?.release()
    }
  }

  /** Renames within the bucket: the bytes and objects stay, so no quota is involved. */
  async move(from: NormalizedKey, to: NormalizedKey): Promise<ObjectInfo> {
    const info = this.#info(
      await this.#call(() => this.#storage.move(this.storageKey(from), this.storageKey(to))),
    )
    await this.#index.move(this.bucket.name, from, info, this.actor)
    return info
  }

  /** The driver's own presigned URL (S3), for drivers that have one. */
  async presign(key: NormalizedKey, opts: PresignOptions): Promise<string> {
    return this.#call(() => this.#storage.generatePresignedUrl(this.storageKey(key), opts))
  }

  /**
   * Runs a storage call, its error told to the bucket's caller: about the key without the bucket prefix,
   * and a backend without credentials reported as unavailable (HTTP 503), not as the caller's 401.
   */
  async #call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation()
    } catch (error) {
      if (!isStorageError(error)) throw error
      if (error.code === 'MissingCredentials')
        throw new StorageError('Unavailable', error.message, { cause: error, retryable: error.retryable })
      throw error.key === undefined ? error : error.withKey(this.#strip(error.key))
    }
  }
}
