import { createReadStream } from 'node:fs'
import { stat as statFile } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Driver, DriverPutOptions } from '../driver.ts'
import { isStorageError, StorageError, toStorageError, withoutPath } from '../errors.ts'
import { checkSegmentLength, type NormalizedKey, normalizeKey, normalizePrefix } from '../keys.ts'
import { listPage } from '../listing.ts'
import { normalizeMediaType } from '../media-type.ts'
import type { PartRef, StoredPart } from '../multipart.ts'
import { parseRange } from '../range.ts'
import { checkPresignOptions, type SignedGrant, UrlSigner } from '../signer.ts'
import type {
  DeleteResult,
  GetObjectOptions,
  ListOptions,
  ListResult,
  NotModified,
  ObjectAttributes,
  ObjectInfo,
  ObjectStream,
  PresignOptions,
  UploadBody,
  UploadOptions,
} from '../types.ts'
import { generateUniqueObjectName } from '../unique-name.ts'
import { writeAttributes } from './attributes.ts'
import { checkCreateOnly, keyTaken, refuseTaken } from './create-only.ts'
import { writeFileAtomically } from './download-file.ts'
import { copyThrough, deleteEach } from './fallbacks.ts'
import {
  type CompleteOptions,
  completeUpload,
  copyPart,
  createUpload,
  multipartOf,
  type UploadPartOptions,
  uploadPart,
} from './multipart-upload.ts'
import { upload } from './upload.ts'

export interface StorageOptions {
  driver: Driver
  /** Secret for Coffer's own signed URLs (fs, memory); at least 16 bytes. */
  signingSecret?: string | Uint8Array
  /**
   * Where Coffer serves signed URLs, e.g. `https://files.example.com/signed`; a function when the
   * address is known only later (a service listening on an ephemeral port).
   */
  baseUrl?: string | (() => string)
}

/** How `move` writes its target. */
export interface MoveOptions {
  /**
   * `'*'`: create only. `PreconditionFailed` when the target exists; source and target are left as
   * they were. Atomic on drivers with `capabilities.conditionalWrite`; checked first on the others.
   */
  ifNoneMatch?: '*'
  signal?: AbortSignal
}

export interface CopyOptions extends ObjectAttributes, MoveOptions {
  /** New content type; with any attribute given, the copy's attributes replace the source's. */
  contentType?: string
}

const signalOf = (signal: AbortSignal | undefined) => (signal ? { signal } : {})

/**
 * One API over every driver: uploads, downloads, ranges, listing, metadata, copies, signed URLs and
 * unique names, with keys, limits, content types and checksums handled the same way everywhere.
 */
export class StorageService {
  readonly driver: Driver
  readonly #signer: UrlSigner | undefined

  constructor(options: StorageOptions) {
    this.driver = options.driver
    if (options.signingSecret !== undefined) {
      this.#signer = new UrlSigner(options.signingSecret, options.baseUrl ?? 'http://127.0.0.1:7373/signed')
    }
  }

  /** A key that will be written: the key rules, plus the driver's limit on segment length. */
  #target(key: string): NormalizedKey {
    return this.#fits(normalizeKey(key))
  }

  #fits(key: NormalizedKey): NormalizedKey {
    checkSegmentLength(key, this.driver.capabilities.maxSegmentBytes)
    return key
  }

  /** Uploads a local file, streaming it; the key defaults to a unique name made from the file's name. */
  async uploadFile(path: string, opts: UploadOptions = {}): Promise<ObjectInfo> {
    const size = await statFile(path).then(
      (s) => (s.isFile() ? s.size : undefined),
      (error: unknown) => {
        throw new StorageError('NotFound', 'the local file to upload does not exist or cannot be read', {
          cause: withoutPath(error),
        })
      },
    )
    if (size === undefined) throw new StorageError('InvalidArgument', 'the path to upload is not a file')
    const key =
      opts.key === undefined ? this.#fits(generateUniqueObjectName(basename(path))) : this.#target(opts.key)
    const body = createReadStream(path, { highWaterMark: 256 * 1024 })
    return upload(this.driver, key, body, { ...opts, contentLength: size, name: basename(path) })
  }

  /** Uploads a stream, web stream, bytes or string to `opts.key`. The body is consumed or destroyed. */
  async upload(body: UploadBody, opts: UploadOptions & { key: string }): Promise<ObjectInfo> {
    if (opts?.key === undefined) throw new StorageError('InvalidArgument', 'upload needs opts.key')
    return upload(this.driver, this.#target(opts.key), body, opts)
  }

  /** Downloads an object to a local file, atomically: no partial file is left on failure. */
  async downloadFile(key: string, path: string, opts: { signal?: AbortSignal } = {}): Promise<ObjectInfo> {
    const { body, info } = await this.getObject(key, signalOf(opts.signal))
    await writeFileAtomically(body, path, opts.signal)
    return info
  }

  /** Streams an object, or a range of it. With `ifNoneMatch`, a match gives `{ notModified: true }`. */
  getObject(key: string, opts?: GetObjectOptions & { ifNoneMatch?: undefined }): Promise<ObjectStream>
  getObject(key: string, opts: GetObjectOptions): Promise<ObjectStream | NotModified>
  async getObject(key: string, opts: GetObjectOptions = {}): Promise<ObjectStream | NotModified> {
    const normalized = normalizeKey(key)
    const range = typeof opts.range === 'string' ? parseRange(opts.range) : opts.range
    const driverOptions = { ...signalOf(opts.signal), ...(range ? { range } : {}) }
    if (opts.ifNoneMatch !== undefined) Object.assign(driverOptions, { ifNoneMatch: opts.ifNoneMatch })
    if (opts.recycleBuffers === true) Object.assign(driverOptions, { recycleBuffers: true })
    return this.#call('reading the object', normalized, () => this.driver.get(normalized, driverOptions))
  }

  /** Deletes an object; deleting a missing key succeeds. */
  async deleteObject(key: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.#delete(normalizeKey(key), opts.signal)
  }

  async #delete(key: NormalizedKey, signal: AbortSignal | undefined): Promise<void> {
    await this.#call('deleting the object', key, () => this.driver.delete(key, signalOf(signal)))
  }

  /** Deletes many keys, or every key under a (non-empty) prefix. Failures are reported per key. */
  async deleteObjects(
    target: string[] | { prefix: string },
    opts: { signal?: AbortSignal } = {},
  ): Promise<DeleteResult> {
    if (Array.isArray(target)) return this.#deleteKeys(target, opts.signal)
    const prefix = normalizePrefix(target.prefix)
    if (prefix === '')
      throw new StorageError('InvalidArgument', 'deleting by prefix needs a non-empty prefix')
    const total: DeleteResult = { deleted: [], errors: [] }
    let cursor: string | undefined
    do {
      const page = await this.listObjects({ prefix, ...signalOf(opts.signal), ...(cursor ? { cursor } : {}) })
      const result = await this.#deleteKeys(
        page.objects.map((o) => o.key),
        opts.signal,
      )
      total.deleted.push(...result.deleted)
      total.errors.push(...result.errors)
      cursor = page.cursor
    } while (cursor !== undefined)
    return total
  }

  async #deleteKeys(keys: string[], signal?: AbortSignal): Promise<DeleteResult> {
    const result: DeleteResult = { deleted: [], errors: [] }
    const valid: NormalizedKey[] = []
    for (const key of keys) {
      try {
        valid.push(normalizeKey(key))
      } catch (error) {
        result.errors.push({ key: String(key), code: 'InvalidKey', message: (error as Error).message })
      }
    }
    if (valid.length === 0) return result
    const done = this.driver.deleteMany
      ? await this.driver.deleteMany(valid, signalOf(signal))
      : await deleteEach(this.driver, valid, signal)
    return { deleted: done.deleted, errors: [...result.errors, ...done.errors] }
  }

  /** One page of keys in UTF-8 byte order, with common prefixes when a delimiter is given. */
  async listObjects(opts: ListOptions = {}): Promise<ListResult> {
    return this.#call('listing objects', undefined, () => listPage(this.driver, opts))
  }

  /** The object's size, etag, type, dates, metadata and visibility. Throws `NotFound`. */
  async stat(key: string, opts: { signal?: AbortSignal } = {}): Promise<ObjectInfo> {
    return this.#stat(normalizeKey(key), opts.signal)
  }

  async #stat(key: NormalizedKey, signal: AbortSignal | undefined): Promise<ObjectInfo> {
    return this.#call('reading the object', key, () => this.driver.head(key, signalOf(signal)))
  }

  async exists(key: string, opts: { signal?: AbortSignal } = {}): Promise<boolean> {
    try {
      await this.stat(key, opts)
      return true
    } catch (error) {
      if (isStorageError(error, 'NotFound')) return false
      throw error
    }
  }

  /**
   * Copies an object (server-side where the driver can). Attributes given replace the source's.
   * With `ifNoneMatch: '*'`, `PreconditionFailed` when `to` exists, which is left as it was.
   */
  async copy(from: string, to: string, opts: CopyOptions = {}): Promise<ObjectInfo> {
    return this.#copy(normalizeKey(from), this.#target(to), opts)
  }

  async #copy(source: NormalizedKey, target: NormalizedKey, opts: CopyOptions): Promise<ObjectInfo> {
    const attributes = await this.#copyAttributes(source, opts)
    await refuseTaken(this.driver, target, opts)
    const condition = opts.ifNoneMatch === '*' ? { ifNoneMatch: opts.ifNoneMatch } : {}
    return this.#call('copying the object', source, () =>
      this.driver.copy
        ? this.driver.copy(source, target, {
            ...(attributes ? { attributes } : {}),
            ...condition,
            ...signalOf(opts.signal),
          })
        : copyThrough(this.driver, source, target, { attributes, ...condition, ...signalOf(opts.signal) }),
    )
  }

  /** Moves an object: a rename where the driver can, else copy then delete. */
  async move(from: string, to: string, opts: MoveOptions = {}): Promise<ObjectInfo> {
    const source = normalizeKey(from)
    const target = this.#target(to)
    checkCreateOnly(opts.ifNoneMatch)
    if (source === target) {
      const info = await this.#stat(source, opts.signal)
      if (opts.ifNoneMatch === '*') throw keyTaken(target)
      return info
    }
    if (this.driver.move) {
      const move = this.driver.move.bind(this.driver)
      await refuseTaken(this.driver, target, opts)
      const condition = opts.ifNoneMatch === '*' ? { ifNoneMatch: opts.ifNoneMatch } : {}
      return this.#call('moving the object', source, () =>
        move(source, target, { ...condition, ...signalOf(opts.signal) }),
      )
    }
    const info = await this.#copy(source, target, opts)
    await this.#delete(source, opts.signal)
    return info
  }

  async #copyAttributes(source: NormalizedKey, opts: CopyOptions): Promise<DriverPutOptions | undefined> {
    const { signal, contentType, ifNoneMatch, ...attributes } = opts
    if (contentType === undefined && Object.keys(attributes).length === 0) return undefined
    const current = await this.#stat(source, signal)
    const type = contentType === undefined ? current.contentType : normalizeMediaType(contentType)
    return writeAttributes({ ...current, ...attributes }, type)
  }

  /**
   * Starts a multipart upload (see `MultipartDriver`): the type is decided from the declared type or
   * the key's extension and checked against `allowedTypes` now; sizes are checked at completion.
   */
  async createMultipartUpload(
    key: string,
    opts: Omit<UploadOptions, 'key'> = {},
  ): Promise<{ uploadId: string; contentType: string }> {
    const target = this.#target(key)
    return this.#call('starting the upload', target, () => createUpload(this.driver, target, opts))
  }

  /** Uploads part `partNumber` (1..10 000) of an upload, replacing one of that number; streamed. */
  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: UploadBody,
    opts: UploadPartOptions = {},
  ): Promise<StoredPart> {
    const target = normalizeKey(key)
    return this.#call('uploading a part', target, () =>
      uploadPart(this.driver, target, uploadId, partNumber, body, opts),
    )
  }

  /**
   * A part made of an object, or of a range of it (`bytes=a-b`): copied by the backend where the
   * driver can (`MultipartDriver.copyPart`), else read and uploaded as a part.
   */
  async uploadPartCopy(
    key: string,
    uploadId: string,
    partNumber: number,
    source: string,
    opts: UploadPartOptions & { range?: string } = {},
  ): Promise<StoredPart> {
    const { range, ...partOpts } = opts
    const target = normalizeKey(key)
    const from = normalizeKey(source)
    const spec = range === undefined ? undefined : parseRange(range)
    const copy = this.driver.multipart?.copyPart?.bind(this.driver.multipart)
    if (copy === undefined) {
      const read = await this.getObject(from, { ...signalOf(opts.signal), ...(spec ? { range: spec } : {}) })
      const length = read.range ? read.range.end - read.range.start + 1 : read.info.size
      return this.uploadPart(target, uploadId, partNumber, read.body, { ...partOpts, contentLength: length })
    }
    return this.#call('copying a part', target, () =>
      copyPart(this.driver, copy, { key: target, uploadId, partNumber, source: from, spec, opts: partOpts }),
    )
  }

  /** Completes an upload with the parts named (checked as S3 does: `checkCompletion`). */
  async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: readonly PartRef[],
    opts: CompleteOptions = {},
  ): Promise<ObjectInfo> {
    const target = this.#target(key)
    return this.#call('completing the upload', target, () =>
      completeUpload(this.driver, target, uploadId, parts, opts),
    )
  }

  /** Ends an upload and removes its parts; `NotFound` when there is no such upload. */
  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    const target = normalizeKey(key)
    await this.#call('aborting the upload', target, () =>
      multipartOf(this.driver).abortUpload(target, uploadId),
    )
  }

  /** The parts of an upload so far, in part-number order. */
  async listParts(key: string, uploadId: string): Promise<StoredPart[]> {
    const target = normalizeKey(key)
    return this.#call('listing parts', target, () => multipartOf(this.driver).listParts(target, uploadId))
  }

  /**
   * A URL that grants one method on one key until it expires. Bound to an `issuer`: always Coffer's
   * HMAC-signed URL under `baseUrl`, so that the issuer can be checked at every use. Unbound: the
   * driver's own (S3 SigV4) when it has one, else Coffer's. Expiry: 1 s to 7 days.
   */
  async generatePresignedUrl(key: string, opts: PresignOptions): Promise<string> {
    const normalized = normalizeKey(key)
    checkPresignOptions(opts)
    if (this.driver.presign && opts.issuer === undefined) {
      const presign = this.driver.presign.bind(this.driver)
      return this.#call('signing the URL', normalized, () => presign(normalized, opts))
    }
    if (!this.#signer) {
      throw new StorageError(
        'MissingCredentials',
        'signed URLs need a signing secret (COFFER_SIGNING_SECRET)',
      )
    }
    return this.#signer.sign(normalized, opts)
  }

  /**
   * Checks a request made with one of Coffer's signed URLs; throws `AccessDenied` when it is not
   * valid. The grant names its `issuer`, if bound: the caller refuses it once that credential is not.
   */
  verifyPresignedUrl(url: string | URL, method: string): SignedGrant {
    if (!this.#signer) throw new StorageError('MissingCredentials', 'no signing secret is configured')
    const { key, query } = this.#signer.parse(url)
    return this.#signer.verify(key, method, query)
  }

  /** A new key for a file name: `prefix/<time-sortable id>-<slug>.<ext>`. */
  generateUniqueObjectName(filename: string, opts: { prefix?: string } = {}): string {
    return generateUniqueObjectName(filename, opts)
  }

  async close(): Promise<void> {
    await this.driver.close?.()
  }

  async #call<T>(what: string, key: string | undefined, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation()
    } catch (error) {
      throw toStorageError(error, what, key)
    }
  }
}

/** Creates a `StorageService` over a driver. */
export function createStorage(options: StorageOptions): StorageService {
  return new StorageService(options)
}
