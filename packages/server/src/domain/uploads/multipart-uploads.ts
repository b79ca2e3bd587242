import {
  type NormalizedKey,
  type ObjectAttributes,
  type ObjectInfo,
  type PartRef,
  StorageError,
  type StoredPart,
  type UploadBody,
  type UploadPartOptions,
} from '@coffer/core'
import type { BucketObjects } from '../buckets/bucket-objects.ts'
import type { StoredChecksum } from '../buckets/object-integrity.ts'
import type { DomainContext } from '../context.ts'
import type { MultipartUpload, MultipartUploadStore, PartChecksum } from './multipart-upload-store.ts'
import { quotaRoom } from './upload-admission.ts'

/** What a multipart upload is started with: the object's attributes and its declared type. */
export interface MultipartStart extends ObjectAttributes {
  contentType?: string
}

/** What an upload keeps for its completion besides the object's attributes: its checksum and tags. */
export type MultipartExtras = Pick<MultipartUpload, 'checksum' | 'tags'>

/** A part of an upload in progress, with the checksum it declared, if one was recorded. */
export type ListedPart = StoredPart & { checksum?: string }

const unquote = (etag: string) => etag.replaceAll('"', '')

/** A completed upload: the object, the upload as it was, and the parts it was joined from. */
export interface CompletedUpload {
  info: ObjectInfo
  upload: MultipartUpload
  /** The parts joined, in order, with the checksums they declared (where one was recorded). */
  parts: ListedPart[]
  /** The object's checksum (`check`'s), when it has one. */
  checksum?: StoredChecksum
}

/**
 * Multipart uploads into one bucket, as one credential makes them, through the bucket layer: the
 * type is checked against the bucket's allowed types at the start, each part against its size
 * limit, and the completion against its size limit and quota (reserved before the parts are joined)
 * and recorded in the index and the audit trail like any write. The index remembers who started
 * each upload; a part or completion for an upload of another bucket or key is `NotFound`. The caller
 * checks the credential's scopes (write on the key) before every call.
 */
export class MultipartUploads {
  readonly #ctx: DomainContext
  readonly #objects: BucketObjects
  readonly #store: MultipartUploadStore
  readonly #owner: string

  constructor(ctx: DomainContext, objects: BucketObjects, owner: string) {
    this.#ctx = ctx
    this.#objects = objects
    this.#store = ctx.multipartUploads
    this.#owner = owner
  }

  /**
   * Refuses a part of `bytes` before any is stored, as tus uploads are admitted: `Unavailable` when
   * the parts of all uploads would pass the staging limit, `QuotaExceeded` when those of the
   * bucket's uploads would pass the room its quota leaves. Parts sent at the same moment can pass
   * together, by at most the parts in flight (which `BodyLimits` bounds per credential).
   */
  async #admit(key: NormalizedKey, bytes: number): Promise<void> {
    const { bucket } = this.#objects
    const staged = await this.#store.staged(bucket.name)
    if (staged.all + bytes > this.#store.stagingBytes) {
      throw new StorageError('Unavailable', 'the staging area for multipart uploads is full; retry later')
    }
    if (staged.inBucket + bytes > (await quotaRoom(this.#ctx, bucket, key))) {
      throw new StorageError(
        'QuotaExceeded',
        `bucket "${bucket.name}" has no room for this part within its quota`,
      )
    }
  }

  get #bucket(): string {
    return this.#objects.bucket.name
  }

  /**
   * Starts an upload. Refused in a bucket that strips images' metadata: that needs the whole image
   * in one stream (a single PUT), and parts would store it unstripped.
   */
  async create(
    key: NormalizedKey,
    start: MultipartStart,
    extras: MultipartExtras = {},
  ): Promise<MultipartUpload> {
    const { bucket } = this.#objects
    if (bucket.stripMetadata === true) {
      throw new StorageError(
        'InvalidArgument',
        `bucket "${bucket.name}" strips the metadata of uploaded images, which only single uploads allow: send the object in one PutObject`,
      )
    }
    await this.#store.checkRoom(this.#owner)
    const opts = {
      ...start,
      visibility: bucket.public ? ('public' as const) : ('private' as const),
      ...(bucket.allowedTypes === undefined ? {} : { allowedTypes: bucket.allowedTypes }),
    }
    const { uploadId, contentType } = await this.#objects.onStorage(key, (storage, storageKey) =>
      storage.createMultipartUpload(storageKey, opts),
    )
    const upload = {
      uploadId,
      bucket: this.#bucket,
      key,
      owner: this.#owner,
      contentType,
      createdAt: new Date().toISOString(),
      ...extras,
    }
    await this.#store.add(upload)
    return upload
  }

  /**
   * Streams a part into the store, within the bucket's limit on a whole object. The quota is not
   * consulted per part (parts sent side by side would refuse each other): it is the completion's.
   */
  async uploadPart(
    key: NormalizedKey,
    uploadId: string,
    partNumber: number,
    body: UploadBody,
    opts: Omit<UploadPartOptions, 'maxSize'>,
  ): Promise<StoredPart> {
    await this.#store.get(this.#bucket, key, uploadId)
    await this.#admit(key, opts.contentLength ?? 1)
    const limit = this.#objects.bucket.maxFileSize
    const part = await this.#objects.onStorage(key, (storage, storageKey) =>
      storage.uploadPart(storageKey, uploadId, partNumber, body, {
        ...opts,
        ...(limit === undefined ? {} : { maxSize: limit }),
      }),
    )
    await this.#store.addPart(uploadId, part.size)
    return part
  }

  /**
   * A part made of an object (or a range of it, `bytes=a-b`) that the caller checked `source` may
   * read: copied by the store where it can, else streamed through, within the bucket's size limit.
   */
  async copyPart(
    key: NormalizedKey,
    uploadId: string,
    partNumber: number,
    source: { objects: BucketObjects; key: NormalizedKey; range?: string; length: number },
    signal?: AbortSignal,
  ): Promise<StoredPart> {
    await this.#store.get(this.#bucket, key, uploadId)
    await this.#admit(key, source.length)
    const limit = this.#objects.bucket.maxFileSize
    const from = source.objects.storageKey(source.key)
    const opts = {
      ...(source.range === undefined ? {} : { range: source.range }),
      ...(limit === undefined ? {} : { maxSize: limit }),
      ...(signal === undefined ? {} : { signal }),
    }
    const part = await this.#objects.onStorage(key, (storage, storageKey) =>
      storage.uploadPartCopy(storageKey, uploadId, partNumber, from, opts),
    )
    await this.#store.addPart(uploadId, part.size)
    return part
  }

  /** The upload `uploadId` of `key`; `NotFound` when there is none. */
  get(key: NormalizedKey, uploadId: string): Promise<MultipartUpload> {
    return this.#store.get(this.#bucket, key, uploadId)
  }

  /** Records the checksum a part declared, with the part's etag. */
  recordPart(uploadId: string, partNumber: number, part: PartChecksum): Promise<void> {
    return this.#store.recordPart(uploadId, partNumber, part)
  }

  /**
   * Joins the parts named into the object; the upload ends. The parts' sizes and checksums are read
   * before: those of a part whose etag is not the one named are left out (the completion then
   * fails on it, as `checkCompletion` finds it changed). `check` sees them before anything is
   * joined, refuses the completion by throwing, and gives the object's checksum, which the index
   * records with the parts' sizes and checksums in the object's own row.
   */
  async complete(
    key: NormalizedKey,
    uploadId: string,
    parts: readonly PartRef[],
    check?: (upload: MultipartUpload, parts: ListedPart[]) => Promise<StoredChecksum | undefined>,
  ): Promise<CompletedUpload> {
    const { upload, parts: listed } = await this.listParts(key, uploadId)
    const stored = new Map(listed.map((part) => [part.partNumber, part]))
    const joined = parts.flatMap((ref) => {
      const part = stored.get(ref.partNumber)
      return part === undefined || unquote(part.etag) !== unquote(ref.etag) ? [] : [part]
    })
    const checksum = await check?.(upload, joined)
    const integrity = () => ({
      ...(checksum === undefined ? {} : { checksum }),
      parts: joined.map(({ size, checksum: declared }) => ({
        size,
        ...(declared === undefined ? {} : { checksum: declared }),
      })),
    })
    const info = await this.#objects.assemble(
      key,
      (storageKey, opts) =>
        this.#objects.onStorage(key, (storage) =>
          storage.completeMultipartUpload(storageKey, uploadId, parts, opts),
        ),
      { multipart: { uploadId, parts: parts.length } },
      integrity,
    )
    await this.#store.remove(uploadId)
    return { info, upload, parts: joined, ...(checksum === undefined ? {} : { checksum }) }
  }

  async abort(key: NormalizedKey, uploadId: string): Promise<void> {
    await this.#store.get(this.#bucket, key, uploadId)
    try {
      await this.#objects.onStorage(key, (storage, storageKey) =>
        storage.abortMultipartUpload(storageKey, uploadId),
      )
    } finally {
      // Gone from the store already (swept there): the upload is over either way.
      await this.#store.remove(uploadId)
    }
  }

  /** The upload and its parts so far, each with the checksum it declared (where one was recorded). */
  async listParts(
    key: NormalizedKey,
    uploadId: string,
  ): Promise<{ upload: MultipartUpload; parts: ListedPart[] }> {
    const upload = await this.#store.get(this.#bucket, key, uploadId)
    const parts = await this.#objects.onStorage(key, (storage, storageKey) =>
      storage.listParts(storageKey, uploadId),
    )
    const checksums = await this.#store.partChecksums(uploadId)
    return {
      upload,
      parts: parts.map((part) => {
        const declared = checksums.get(part.partNumber)
        // Recorded for a part sent before this one under the same number: not this part's.
        if (declared === undefined || unquote(declared.etag) !== unquote(part.etag)) return part
        return { ...part, checksum: declared.checksum }
      }),
    }
  }
}
