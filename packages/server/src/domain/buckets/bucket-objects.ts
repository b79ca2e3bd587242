import { pipeline } from 'node:stream'
import {
  type CompleteOptions,
  compareKeys,
  type DeleteResult,
  type GetObjectOptions,
  isStorageError,
  keyInFolder,
  type ListOptions,
  type ListResult,
  type MoveOptions,
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
import type { Actor, AuditEntry, ObjectCatalog } from '../../catalog/object-catalog.ts'
import {
  type ObjectIntegrity,
  type StoredChecksum,
  writeObjectIntegrity,
} from '../../catalog/object-integrity.ts'
import { Reservation } from '../../catalog/quota.ts'
import type { WriteIntents } from '../../catalog/write-intents.ts'
import type { Metrics } from '../../support/metrics.ts'
import { expiredError, hasExpired } from '../../support/object-expiry.ts'
import type { Bucket } from './bucket-store.ts'
import { type KeyWrite, KeyWrites } from './key-writes.ts'

/** What a bucket's objects live on: the storage, the index that mirrors it, and its write intents. */
/** The writes in flight of each index (one per service), shared by every request's bucket layer. */
const keyWrites = new WeakMap<ObjectCatalog, KeyWrites>()

function keyWritesOf(catalog: ObjectCatalog): KeyWrites {
  let writes = keyWrites.get(catalog)
  if (writes === undefined) {
    writes = new KeyWrites()
    keyWrites.set(catalog, writes)
  }
  return writes
}

export interface ObjectServices {
  storage: StorageService
  catalog: ObjectCatalog
  intents: WriteIntents
  metrics?: Metrics
  /** The variant cache, which drops a key's renders when the key is written, moved or deleted. */
  renders?: { dropSources(bucket: string, keys: readonly string[]): Promise<void> }
  /** Strips uploaded images where the bucket says so, and records images' sizes and placeholders. */
  images?: {
    prepare(bucket: Bucket, body: UploadBody, contentType: string | undefined): Promise<UploadBody>
    describe(bucket: string, storageKey: string, info: ObjectInfo): Promise<ImageFacts | undefined>
  }
}

/** An image's displayed size and ThumbHash placeholder, as uploads record them. */
export interface ImageFacts {
  width: number
  height: number
  thumbhash: string
}

/**
 * A bucket's objects on the one configured storage, as one actor sees them: every key lives under
 * `<bucket>/`, so buckets never see each other's objects. Keys go in and come out without that
 * prefix, and errors are rewritten to name the bucket's key, not the storage's. Every change is
 * recorded in the index after the storage made it (the index follows the store, never leads it), and
 * writes into a bucket with a quota reserve their room first. Every store write is announced first as
 * a write intent, which goes with the index change that follows it: a crash in between leaves the
 * intent, and the restart repairs that key (see `resolveWriteIntents`).
 */
export class BucketObjects {
  readonly bucket: Bucket
  readonly actor: Actor
  /** Bytes this instance wrote (uploads and copies), for the usage statistics. */
  bytesIn = 0
  readonly #storage: StorageService
  readonly #index: ObjectCatalog
  readonly #intents: WriteIntents
  readonly #writes: KeyWrites
  readonly #metrics: Metrics | undefined
  readonly #renders: ObjectServices['renders']
  readonly #images: ObjectServices['images']
  readonly #root: string

  constructor(services: ObjectServices, bucket: Bucket, actor: Actor) {
    this.#storage = services.storage
    this.#index = services.catalog
    this.#intents = services.intents
    this.#writes = keyWritesOf(services.catalog)
    this.#metrics = services.metrics
    this.#renders = services.renders
    this.#images = services.images
    this.bucket = bucket
    this.actor = actor
    this.#root = `${bucket.name}/`
  }

  get #hasQuota(): boolean {
    return this.bucket.quotaBytes !== undefined || this.bucket.quotaObjects !== undefined
  }

  /**
   * Records a stored object in the index, ending its reservation and its write intents in the same
   * transaction. When the quota turns out to have no room for it after all (see
   * `Reservation.commitIn`), the stored object is removed again and `QuotaExceeded` thrown.
   */
  async #record(
    write: KeyWrite,
    info: ObjectInfo,
    action: string,
    intents: readonly string[],
    reservation?: Reservation,
    detail?: Record<string, unknown>,
    integrity?: Omit<ObjectIntegrity, 'etag'>,
  ) {
    const entry = { action, bucket: this.bucket.name, key: info.key, detail: { size: info.size, ...detail } }
    const recorded = await this.#writes.serially(write, () =>
      this.#recordHeld(write, info, entry, intents, reservation, integrity),
    )
    if (!recorded) return
    this.bytesIn += info.size
    await this.#dropRenders([info.key])
  }

  /**
   * `#record`'s index write, one at a time per key. A write that overlapped another of its key
   * records its object only if the store still holds it: when another write replaced it (or a
   * delete took it) since, that one's record is the truth, and this write is only audited.
   */
  async #recordHeld(
    write: KeyWrite,
    info: ObjectInfo,
    entry: AuditEntry,
    intents: readonly string[],
    reservation?: Reservation,
    integrity?: Omit<ObjectIntegrity, 'etag'>,
  ): Promise<boolean> {
    if (this.#writes.overlapped(write) && !(await this.#holds(info))) {
      await this.#index.audit(this.actor, { ...entry, detail: { ...entry.detail, replaced: true } })
      await this.#intents.end(intents)
      return false
    }
    try {
      await this.#index.put(this.bucket.name, info, this.actor, entry, async (tx, change) => {
        await reservation?.commitIn(tx, change)
        await this.#intents.endIn(tx, intents)
        // In the row's own transaction: no reader sees the version without its checksum or parts.
        if (integrity !== undefined)
          await writeObjectIntegrity(tx, this.bucket.name, info.key, { ...integrity, etag: info.etag })
      })
    } catch (error) {
      if (isStorageError(error, 'QuotaExceeded')) {
        // The key holds the refused object now (what it replaced is gone): index and store lose it.
        await this.#call(() => this.#storage.deleteObject(this.#root + info.key))
        await this.#index.remove(this.bucket.name, [info.key], this.actor)
        await this.#intents.end(intents)
      }
      throw error
    }
    return true
  }

  /** Whether the store holds the version `info` describes at its key now. */
  async #holds(info: ObjectInfo): Promise<boolean> {
    return (await this.#storedEtag(info.key as NormalizedKey)) === info.etag
  }

  /** The etag of what the store holds at `key` now; undefined when it holds nothing there. */
  async #storedEtag(key: NormalizedKey): Promise<string | undefined> {
    try {
      return (await this.#storage.stat(this.storageKey(key))).etag
    } catch (error) {
      if (isStorageError(error, 'NotFound')) return undefined
      throw error
    }
  }

  /** The renders of keys whose bytes changed or went are stale: they go with them. */
  async #dropRenders(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.#renders?.dropSources(this.bucket.name, keys)
  }

  /**
   * The storage key of a bucket key: under the bucket's name, a valid segment, so only the length
   * rule needs checking again. Throws `InvalidKey` for a key too long there.
   */
  storageKey(key: NormalizedKey): NormalizedKey {
    return keyInFolder(this.bucket.name, key)
  }

  #strip(key: string): string {
    return key.startsWith(this.#root) ? key.slice(this.#root.length) : key
  }

  #info(info: ObjectInfo): ObjectInfo {
    return { ...info, key: this.#strip(info.key) }
  }

  /**
   * Uploads under the bucket's policy: its size limit, allowed types, quota and visibility; a
   * zero-byte folder marker is exempt from the first three. `checksum`, asked once the body has
   * streamed, is the S3 checksum the writer declared, recorded with the object's row.
   */
  async upload(
    key: NormalizedKey,
    body: UploadBody,
    opts: Omit<UploadOptions, 'key'>,
    checksum?: () => StoredChecksum | undefined,
  ): Promise<ObjectInfo & { image?: ImageFacts }> {
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
    const write = this.#writes.begin(bucket.name, key)
    try {
      if (!marker) reservation = await this.#reserve(key, opts.contentLength)
      const intents = await this.#intents.begin(bucket.name, [key])
      let input: UploadBody = (await this.#images?.prepare(bucket, body, opts.contentType)) ?? body
      // A stripped image is shorter than the length the client declared for its original.
      if (input !== body && input instanceof Uint8Array) options.contentLength = input.length
      if (reservation) {
        // The meter fails the upload at the first byte the quota has no room for; the core then
        // destroys the body, and pipeline the source.
        input = pipeline(toReadable(input).stream, reservation.meter(), () => undefined)
      }
      const info = this.#info(await this.#stored(intents, () => this.#storage.upload(input, options)))
      const declared = checksum?.()
      const integrity = declared === undefined ? undefined : { checksum: declared }
      await this.#record(write, info, 'object.put', intents, reservation, undefined, integrity)
      const image = await this.#images?.describe(bucket.name, options.key, info)
      return image === undefined ? info : { ...info, image }
    } catch (error) {
      if (isStorageError(error) && error.code === 'QuotaExceeded') {
        this.#metrics?.quotaRefusals.inc({ bucket: bucket.name })
      }
      throw error
    } finally {
      this.#writes.end(write)
      this.#metrics?.uploadsInFlight.dec()
      await reservation?.release()
    }
  }

  /**
   * Stores an object that `join` makes at the storage key from bytes already in the store (a
   * multipart completion), under the bucket's size limit and quota: `join` is handed both, and calls
   * `admit` with the object's size before it joins anything, which reserves that room (or refuses
   * it), so that completions running at once cannot together overshoot the quota.
   */
  async assemble(
    key: NormalizedKey,
    join: (storageKey: NormalizedKey, opts: CompleteOptions) => Promise<ObjectInfo>,
    detail: Record<string, unknown>,
    integrity?: () => Omit<ObjectIntegrity, 'etag'>,
  ): Promise<ObjectInfo & { image?: ImageFacts }> {
    let reservation: Reservation | undefined
    const opts: CompleteOptions = {
      admit: async (size) => {
        reservation = await this.#reserve(key, size)
      },
    }
    if (this.bucket.maxFileSize !== undefined) opts.maxSize = this.bucket.maxFileSize
    const write = this.#writes.begin(this.bucket.name, key)
    try {
      const intents = await this.#intents.begin(this.bucket.name, [key])
      const info = this.#info(await this.#stored(intents, () => join(this.storageKey(key), opts)))
      await this.#record(write, info, 'object.put', intents, reservation, detail, integrity?.())
      // An image joined from parts is described as one sent whole is (its size and placeholder).
      const image = await this.#images?.describe(this.bucket.name, this.storageKey(key), info)
      return image === undefined ? info : { ...info, image }
    } catch (error) {
      if (isStorageError(error, 'QuotaExceeded'))
        this.#metrics?.quotaRefusals.inc({ bucket: this.bucket.name })
      throw error
    } finally {
      this.#writes.end(write)
      await reservation?.release()
    }
  }

  /** Runs a call on the storage with the key's storage name; its errors name the bucket's key. */
  async onStorage<T>(
    key: NormalizedKey,
    operation: (storage: StorageService, storageKey: NormalizedKey) => Promise<T>,
  ): Promise<T> {
    return this.#call(() => operation(this.#storage, this.storageKey(key)))
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

  /**
   * Runs a store change that `intents` announced. Should it fail, the store is as it was (its writes
   * are atomic) and the intents end; should it succeed, they stay until the index follows it, so that
   * a failed index write, or a crash, leaves them for the next start to resolve.
   */
  async #stored<T>(intents: readonly string[], change: () => Promise<T>): Promise<T> {
    try {
      return await this.#call(change)
    } catch (error) {
      await this.#intents.end(intents)
      throw error
    }
  }

  /** An object's stream; an expired object is `NotFound` at once, whether or not the sweep took it. */
  async get(key: NormalizedKey, opts: GetObjectOptions): Promise<ObjectStream | NotModified> {
    const result = await this.#call(() => this.#storage.getObject(this.storageKey(key), opts))
    if (hasExpired(result.info)) {
      // A body made from `bytes` was never opened: nothing to close then.
      if (!result.notModified && result.bytes === undefined) result.body.destroy()
      throw expiredError(key)
    }
    // Not a copy: spreading would make the body of an answer that carries `bytes`.
    result.info = this.#info(result.info)
    return result
  }

  /** An object's attributes; `NotFound` once it has expired. */
  async stat(key: NormalizedKey): Promise<ObjectInfo> {
    const info = this.#info(await this.#call(() => this.#storage.stat(this.storageKey(key))))
    if (hasExpired(info)) throw expiredError(key)
    return info
  }

  async delete(key: NormalizedKey): Promise<void> {
    const write = this.#writes.begin(this.bucket.name, key)
    try {
      const intents = await this.#intents.begin(this.bucket.name, [key])
      await this.#stored(intents, () => this.#storage.deleteObject(this.storageKey(key)))
      // A write of the key that overlapped this delete may have stored its object since: its row stays.
      await this.#writes.serially(write, async () => {
        if (this.#writes.overlapped(write) && (await this.#storedEtag(key)) !== undefined) return
        await this.#index.remove(this.bucket.name, [key], this.actor)
      })
      await this.#intents.end(intents)
    } finally {
      this.#writes.end(write)
    }
    await this.#dropRenders([key])
  }

  /**
   * Deletes the given keys or every key under a non-empty prefix; failures are reported per key. Keys
   * are checked here, so that an invalid one is reported by the name its caller gave. The audit trail
   * records `action` (`object.expire` for the expiry sweep).
   */
  async deleteMany(target: string[] | { prefix: string }, action = 'object.delete'): Promise<DeleteResult> {
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
    const intents = Array.isArray(storageTarget)
      ? await this.#intents.begin(
          this.bucket.name,
          storageTarget.map((key) => this.#strip(key)),
        )
      : await this.#intents.begin(this.bucket.name, [storageTarget.prefix.slice(this.#root.length)], true)
    const result =
      Array.isArray(storageTarget) && storageTarget.length === 0
        ? { deleted: [], errors: [] }
        : await this.#stored(intents, () => this.#storage.deleteObjects(storageTarget))
    const deleted = result.deleted.map((key) => this.#strip(key)).sort(compareKeys)
    await this.#index.remove(this.bucket.name, deleted, this.actor, action)
    await this.#intents.end(intents)
    await this.#dropRenders(deleted)
    // Deletes run concurrently and finish in any order; the answer lists keys in key order. The
    // storage's own failures name no key in their message (the key is beside it).
    const failed = result.errors.map((e) => ({ ...e, key: this.#strip(e.key) }))
    return { deleted, errors: [...refused, ...failed].sort((a, b) => compareKeys(a.key, b.key)) }
  }

  async list(opts: ListOptions): Promise<ListResult> {
    const result = await this.#call(() =>
      this.#storage.listObjects({ ...opts, prefix: this.#root + (opts.prefix ?? '') }),
    )
    const objects = result.objects.map((o) => ({ ...o, key: this.#strip(o.key) }))
    // Expired objects leave listings at once; the catalog knows which (the store's listing does not
    // carry metadata).
    const expired = await this.#index.expiredAmong(
      this.bucket.name,
      objects.map((o) => o.key),
      new Date().toISOString(),
    )
    const page: ListResult = {
      objects: expired.size === 0 ? objects : objects.filter((o) => !expired.has(o.key)),
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

  /** Copies within the bucket; with `ifNoneMatch: '*'`, a taken `to` is refused and nothing changes. */
  async copy(from: NormalizedKey, to: NormalizedKey, opts: MoveOptions = {}): Promise<ObjectInfo> {
    const source = this.storageKey(from)
    const size = this.#hasQuota ? (await this.#call(() => this.#storage.stat(source))).size : undefined
    const reservation = await this.#reserve(to, size)
    const write = this.#writes.begin(this.bucket.name, to)
    try {
      const target = this.storageKey(to)
      const intents = await this.#intents.begin(this.bucket.name, [to])
      const info = this.#info(await this.#stored(intents, () => this.#storage.copy(source, target, opts)))
      if (reservation) {
        // The source may have grown since its size was reserved: the copy must fit, or it goes.
        await reservation.cover(info.size).catch(async (error: unknown) => {
          await this.#call(() => this.#storage.deleteObject(target))
          await this.#index.remove(this.bucket.name, [info.key], this.actor)
          await this.#intents.end(intents)
          throw error
        })
      }
      await this.#record(write, info, 'object.copy', intents, reservation, { from })
      return info
    } finally {
      this.#writes.end(write)
      await reservation?.release()
    }
  }

  /**
   * Renames within the bucket: the bytes and objects stay, so no quota is involved. With
   * `ifNoneMatch: '*'`, a taken `to` is refused and nothing changes.
   */
  async move(from: NormalizedKey, to: NormalizedKey, opts: MoveOptions = {}): Promise<ObjectInfo> {
    const [source, target] = [this.storageKey(from), this.storageKey(to)]
    const intents = await this.#intents.begin(this.bucket.name, [from, to])
    const info = this.#info(await this.#stored(intents, () => this.#storage.move(source, target, opts)))
    await this.#index.move(this.bucket.name, from, info, this.actor)
    await this.#intents.end(intents)
    await this.#dropRenders([from, info.key])
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
