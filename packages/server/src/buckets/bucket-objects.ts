import {
  compareKeys,
  type DeleteResult,
  type GetObjectOptions,
  isStorageError,
  type ListOptions,
  type ListResult,
  type NotModified,
  normalizeKey,
  type ObjectInfo,
  type ObjectStream,
  type PresignOptions,
  StorageError,
  type StorageService,
  type UploadBody,
  type UploadOptions,
} from '@coffer/core'
import type { Bucket } from './bucket-store.ts'

/**
 * A bucket's objects on the one configured storage: every key lives under `<bucket>/`, so buckets
 * never see each other's objects. Keys go in and come out without that prefix, and errors are
 * rewritten to name the bucket's key, not the storage's.
 */
export class BucketObjects {
  readonly bucket: Bucket
  readonly #storage: StorageService
  readonly #root: string

  constructor(storage: StorageService, bucket: Bucket) {
    this.#storage = storage
    this.bucket = bucket
    this.#root = `${bucket.name}/`
  }

  /** The storage key of a bucket key; throws `InvalidKey` for a key that breaks the key rules. */
  storageKey(key: string): string {
    return this.#root + normalizeKey(key)
  }

  #strip(key: string): string {
    return key.startsWith(this.#root) ? key.slice(this.#root.length) : key
  }

  #info(info: ObjectInfo): ObjectInfo {
    return { ...info, key: this.#strip(info.key) }
  }

  /** Uploads under the bucket's policy: its size limit, allowed types and visibility. */
  async upload(key: string, body: UploadBody, opts: Omit<UploadOptions, 'key'>): Promise<ObjectInfo> {
    const { bucket } = this
    const options: UploadOptions & { key: string } = {
      ...opts,
      key: this.storageKey(key),
      visibility: bucket.public ? 'public' : 'private',
    }
    if (bucket.maxFileSize !== undefined) options.maxSize = bucket.maxFileSize
    if (bucket.allowedTypes !== undefined) options.allowedTypes = bucket.allowedTypes
    return this.#info(await this.#call(() => this.#storage.upload(body, options)))
  }

  async get(key: string, opts: GetObjectOptions): Promise<ObjectStream | NotModified> {
    const result = await this.#call(() => this.#storage.getObject(this.storageKey(key), opts))
    return { ...result, info: this.#info(result.info) }
  }

  async stat(key: string): Promise<ObjectInfo> {
    return this.#info(await this.#call(() => this.#storage.stat(this.storageKey(key))))
  }

  async delete(key: string): Promise<void> {
    await this.#call(() => this.#storage.deleteObject(this.storageKey(key)))
  }

  /** Deletes the given keys or every key under a non-empty prefix; failures are reported per key. */
  async deleteMany(target: string[] | { prefix: string }): Promise<DeleteResult> {
    const storageTarget = Array.isArray(target)
      ? target.map((key) => this.storageKey(key))
      : { prefix: this.#root + target.prefix }
    const result = await this.#call(() => this.#storage.deleteObjects(storageTarget))
    // Deletes run concurrently and finish in any order; the answer lists keys in key order.
    return {
      deleted: result.deleted.map((key) => this.#strip(key)).sort(compareKeys),
      errors: result.errors
        .map((e) => ({ ...e, key: this.#strip(e.key), message: this.#clean(e.message) }))
        .sort((a, b) => compareKeys(a.key, b.key)),
    }
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

  async copy(from: string, to: string): Promise<ObjectInfo> {
    return this.#info(await this.#call(() => this.#storage.copy(this.storageKey(from), this.storageKey(to))))
  }

  async move(from: string, to: string): Promise<ObjectInfo> {
    return this.#info(await this.#call(() => this.#storage.move(this.storageKey(from), this.storageKey(to))))
  }

  /** The driver's own presigned URL (S3), for drivers that have one. */
  async presign(key: string, opts: PresignOptions): Promise<string> {
    return this.#call(() => this.#storage.generatePresignedUrl(this.storageKey(key), opts))
  }

  #clean(message: string): string {
    return message.replaceAll(`"${this.#root}`, '"')
  }

  /**
   * Runs a storage call, rewriting its error for the bucket's caller: keys without the bucket prefix,
   * and a backend without credentials reported as unavailable (HTTP 503), not as the caller's 401.
   */
  async #call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation()
    } catch (error) {
      if (!isStorageError(error)) throw error
      const code = error.code === 'MissingCredentials' ? 'Unavailable' : error.code
      const options = { cause: error, retryable: error.retryable }
      throw new StorageError(
        code,
        this.#clean(error.message),
        error.key === undefined ? options : { ...options, key: this.#strip(error.key) },
      )
    }
  }
}
