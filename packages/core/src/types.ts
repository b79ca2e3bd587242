import type { Readable } from 'node:stream'

export type Visibility = 'public' | 'private'

/** What Coffer knows of a stored object. */
export interface ObjectInfo {
  key: string
  /** Size in bytes. */
  size: number
  /** Quoted entity tag, as S3 gives it: `"<md5 hex>"` for single writes, `"<hex>-<parts>"` for multipart. */
  etag: string
  contentType: string
  lastModified: Date
  /** User metadata: lower-case names, string values; round-trips exactly. */
  metadata: Record<string, string>
  visibility: Visibility
  /** sha256 (lower-case hex) of the bytes, computed while they streamed in. Absent only for objects
   * written behind Coffer's back. */
  checksum: { sha256?: string }
  cacheControl?: string
  contentDisposition?: string
  contentEncoding?: string
}

/** One listed object: what S3's ListObjectsV2 gives, on every driver. */
export interface ObjectSummary {
  key: string
  size: number
  etag: string
  lastModified: Date
}

/** A byte range as a request states it (RFC 9110 §14.1.2): `a-b`, `a-` or the last `n` bytes. */
export type RangeSpec = { start: number; end?: number } | { suffix: number }

/** A range resolved against an object's size; `end` is inclusive, as in `Content-Range`. */
export interface ResolvedRange {
  start: number
  end: number
  size: number
}

/** Headers and attributes shared by uploads, copies and drivers' writes. */
export interface ObjectAttributes {
  metadata?: Record<string, string>
  visibility?: Visibility
  cacheControl?: string
  contentDisposition?: string
  contentEncoding?: string
}

/** What `upload` accepts as a body; none of these is read whole into memory. */
export type UploadBody = Readable | ReadableStream<Uint8Array> | Uint8Array | string

export interface UploadOptions extends ObjectAttributes {
  /** The object's key; `uploadFile` defaults it to a unique name made from the file's name. */
  key?: string
  /** Declared type; checked against the bytes (see `detectContentType`). */
  contentType?: string
  /** Length in bytes when the caller knows it: lets drivers stream without multipart. */
  contentLength?: number
  /** `'*'`: create only; `PreconditionFailed` when the key exists. */
  ifNoneMatch?: '*'
  /** Maximum size in bytes; the upload stops at the first byte over it with `TooLarge`. */
  maxSize?: number
  /** Allowed content types, with wildcards (`image/*`); others fail with `UnsupportedMediaType`. */
  allowedTypes?: readonly string[]
  signal?: AbortSignal
}

export interface GetObjectOptions {
  /** `bytes=a-b`, `bytes=a-`, `bytes=-n` or a parsed range. */
  range?: string | RangeSpec
  /** An `If-None-Match` value: `*` or a list of etags. A match gives a "not modified" result. */
  ifNoneMatch?: string
  /**
   * The caller pipes the body into a destination that is done with each chunk once the chunk's write
   * callback has run (a socket, an HTTP/1 response: the kernel has the bytes) and lets nothing else
   * read it. A driver may then read into the buffers so released instead of allocating one per chunk
   * (the fs driver does, for objects it streams from disk). Default false: chunks are never reused.
   */
  recycleBuffers?: boolean
  signal?: AbortSignal
}

export interface ObjectStream {
  notModified: false
  /**
   * The bytes (of the range, when one applies). Read it to its end or destroy it, or its file or
   * socket stays open. Where `bytes` is present, it is made from them when first read.
   */
  readonly body: Readable
  /**
   * The same bytes, when the driver held them in memory already (the fs driver's small objects): a
   * reader may take them instead of `body`, which is then never made. Never to be modified.
   */
  readonly bytes?: Buffer
  info: ObjectInfo
  /** Present when a range was asked for and applies. */
  range?: ResolvedRange
}

export interface NotModified {
  notModified: true
  info: ObjectInfo
}

export interface ListOptions {
  prefix?: string
  delimiter?: string
  /** The `cursor` of the previous page. */
  cursor?: string
  /** Entries (objects plus prefixes) per page: 1 to 1000, default 1000. */
  limit?: number
  signal?: AbortSignal
}

export interface ListResult {
  objects: ObjectSummary[]
  /** Common prefixes ("folders") when a delimiter was given. */
  prefixes: string[]
  /** Present when there is a next page. Opaque; stays valid while objects are added or removed. */
  cursor?: string
}

export interface DeleteResult {
  deleted: string[]
  errors: { key: string; code: string; message: string }[]
}

export interface PresignOptions {
  method: 'GET' | 'PUT'
  /** Seconds, 1 to 604800 (7 days, SigV4's limit). */
  expiresIn: number
  /** For PUT: the type the upload must declare. For GET: the type to answer with. */
  contentType?: string
  contentDisposition?: string
  /**
   * The credential that asks for the URL (e.g. `key:key_…`), signed into it: whoever verifies the URL
   * can refuse it once that credential is revoked. A URL bound to an issuer is always Coffer's own
   * (a driver's URL, such as S3's SigV4, cannot carry it), so it needs a signing secret.
   */
  issuer?: string
}
