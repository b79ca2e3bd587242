import type { Readable } from 'node:stream'
import type { NormalizedKey } from './keys.ts'
import type { StoredPart } from './multipart.ts'
import type {
  DeleteResult,
  NotModified,
  ObjectAttributes,
  ObjectInfo,
  ObjectStream,
  ObjectSummary,
  PresignOptions,
  RangeSpec,
  Visibility,
} from './types.ts'

/** Size and checksums of a body, computed while it streamed. */
export interface Digest {
  size: number
  /** Lower-case hex. */
  sha256: string
  /** Lower-case hex; the etag of a single-part write. Absent when the driver declares `computesEtag`. */
  md5?: string
}

/**
 * The body a driver receives: a stream that the service has already checked (size limit, type) and
 * that hashes itself as it flows. `digest()` is valid once the stream has ended.
 */
export interface PutBody extends Readable {
  digest(): Digest
}

/** What a driver writes besides the bytes. */
export interface DriverPutOptions extends ObjectAttributes {
  contentType: string
  metadata: Record<string, string>
  visibility: Visibility
  contentLength?: number
  ifNoneMatch?: '*'
  signal?: AbortSignal
}

export interface DriverGetOptions {
  range?: RangeSpec
  ifNoneMatch?: string
  /** See `GetObjectOptions.recycleBuffers`; a driver may ignore it. */
  recycleBuffers?: boolean
  signal?: AbortSignal
}

/** How `move` writes its target. */
export interface DriverMoveOptions {
  /**
   * `'*'`: create only. When `to` exists, throw `PreconditionFailed` and leave both keys as they
   * were. A driver with `capabilities.conditionalWrite` must make this atomic (a name taken between
   * a check and the write is never replaced); without it, the service checks first.
   */
  ifNoneMatch?: '*'
  signal?: AbortSignal
}

/** How `copy` writes its target: as `move`, and with new attributes when given. */
export interface DriverCopyOptions extends DriverMoveOptions {
  attributes?: DriverPutOptions
}

/** Where a listing source starts: after a key, or after every key that starts with a prefix. */
export interface ListStart {
  prefix: string
  after?: string
  /** When true, skip every key that starts with `after` (the previous page ended on a folder). */
  afterIsPrefix?: boolean
}

/** A hint the paginator updates while it reads: keys starting with `skipPrefix` are not wanted. */
export interface ListHint {
  skipPrefix?: string
}

/** Optional abilities; `core` provides the fallback where one is missing. */
export interface DriverCapabilities {
  /**
   * `ifNoneMatch: '*'` is an atomic create-only write, for `put`, `copy` and `move` alike (otherwise
   * the service checks, then writes).
   */
  conditionalWrite: boolean
  /** The backend makes etags itself (S3): the service then spends no time on an md5 of every body. */
  computesEtag?: boolean
  /** Longest key segment the backend can store, in UTF-8 bytes; unbounded when absent. */
  maxSegmentBytes?: number
}

/**
 * Multipart uploads (S3's model): parts of one object uploaded separately, in any order and again,
 * then joined into the object in one atomic step. The service checks part numbers (1..10 000) and a
 * completion (order, etags, 5 MiB parts but the last: `checkCompletion`) before the driver is
 * called; a driver stores, lists and joins. Every method throws `NotFound` for an upload id that is
 * unknown, finished or aborted, or that belongs to another key.
 */
export interface MultipartDriver {
  /** Starts an upload; the object will have `opts`' attributes. Nothing is visible at `key` yet. */
  createUpload(key: NormalizedKey, opts: DriverPutOptions): Promise<{ uploadId: string }>
  /** Stores a part, replacing one of the same number. Returns its quoted etag (fs, memory: its md5). */
  uploadPart(
    key: NormalizedKey,
    uploadId: string,
    partNumber: number,
    body: PutBody,
    opts?: { contentLength?: number; signal?: AbortSignal },
  ): Promise<{ etag: string }>
  /**
   * Joins `parts` (checked, in ascending order) into the object at `key`, atomically as `put`, and
   * ends the upload. The etag is S3's multipart etag (`multipartEtag`). Throws `InvalidPart` when a
   * part changed since it was checked. A driver may honour `signal` (`Aborted`): the S3 driver sends
   * it with its requests, and its staged multipart stops joining the bytes, the upload left as it was.
   */
  completeUpload(
    key: NormalizedKey,
    uploadId: string,
    parts: readonly StoredPart[],
    opts?: { signal?: AbortSignal },
  ): Promise<ObjectInfo>
  /**
   * Optional: a part copied by the backend from the object at `source`, or from the inclusive byte
   * range `range` of it, without streaming it through this process (S3's UploadPartCopy). The service
   * has checked that the source and the range exist. Fallback: the source is read into `uploadPart`.
   */
  copyPart?(
    key: NormalizedKey,
    uploadId: string,
    partNumber: number,
    source: NormalizedKey,
    opts: { range?: { start: number; end: number }; signal?: AbortSignal },
  ): Promise<{ etag: string }>
  /** Ends the upload and removes its parts. */
  abortUpload(key: NormalizedKey, uploadId: string): Promise<void>
  /** The parts stored so far, in ascending part-number order. */
  listParts(key: NormalizedKey, uploadId: string): Promise<StoredPart[]>
}

/**
 * The contract every backend implements with the same semantics (S3's). The conformance suite in
 * `@coffer/core/testing` checks them; a driver is done when it passes it. Keys arrive normalised
 * (`NormalizedKey`): a driver maps them to its backend and never checks them again.
 */
export interface Driver {
  /** Short name for logs and errors: `fs`, `memory`, `s3`. */
  readonly name: string
  readonly capabilities: DriverCapabilities

  /** Atomic write: readers see the old object or the whole new one. Nothing is left on failure. */
  put(key: NormalizedKey, body: PutBody, opts: DriverPutOptions): Promise<ObjectInfo>
  /** Throws `NotFound`, `InvalidRange`. */
  get(key: NormalizedKey, opts: DriverGetOptions): Promise<ObjectStream | NotModified>
  /** Throws `NotFound`. */
  head(key: NormalizedKey, opts?: { signal?: AbortSignal }): Promise<ObjectInfo>
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: NormalizedKey, opts?: { signal?: AbortSignal }): Promise<void>
  /** Keys in ascending UTF-8 byte order starting at `start`, all with `start.prefix`. */
  list(start: ListStart, hint: ListHint, opts?: { signal?: AbortSignal }): AsyncIterable<ObjectSummary>

  /** Batched delete; per-key failures are reported, not thrown. Fallback: one `delete` per key. */
  deleteMany?(keys: NormalizedKey[], opts?: { signal?: AbortSignal }): Promise<DeleteResult>
  /** Server-side copy. Fallback: get + put. `attributes` replace the source's when given. */
  copy?(from: NormalizedKey, to: NormalizedKey, opts: DriverCopyOptions): Promise<ObjectInfo>
  /** Server-side move. Fallback: copy + delete. */
  move?(from: NormalizedKey, to: NormalizedKey, opts?: DriverMoveOptions): Promise<ObjectInfo>
  /** The backend's own presigned URLs (S3 SigV4). Fallback: Coffer's HMAC URLs. */
  presign?(key: NormalizedKey, opts: PresignOptions): Promise<string>
  multipart?: MultipartDriver
  /**
   * Removes the backend's own leftovers of uploads started before `olderThan` and never finished
   * (S3's incomplete multipart uploads, the fs driver's temp files of a killed process); returns how
   * many. The service calls it with its upload expiry. Absent for backends that leave nothing behind.
   */
  sweepUploads?(olderThan: Date, opts?: { signal?: AbortSignal }): Promise<number>
  /** Releases sockets and handles. */
  close?(): Promise<void>
}
