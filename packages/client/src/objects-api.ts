import { StorageError } from '@coffer/core/errors'
import { type RenderUrlOptions, renderUrl } from '@coffer/images/render-url'
import type {
  DeleteResult,
  ListPage,
  ObjectInfo,
  ObjectSummary,
  RenderUrls,
  SignedUrl,
  ZipLink,
} from './api-types.ts'
import { CofferError } from './coffer-error.ts'
import type { CallOptions, HttpTransport } from './http-transport.ts'
import { bucketPath, encodeKey, objectPath } from './key-path.ts'
import { attributeHeaders, headOfHeaders, type ObjectAttributes, type ObjectHead } from './object-headers.ts'
import { type ListOptions, listObjects, listPage, listPages } from './object-listing.ts'
import { type ResumableBody, type ResumableUploadOptions, resumableUpload } from './resumable-upload.ts'
import { type SignRendersOptions, signRenders } from './signed-renders.ts'
import { type ProgressListener, sizeOf, type UploadBody, uploadRequest } from './upload-body.ts'

/** How a one-request upload runs. */
export interface UploadOptions extends ObjectAttributes, CallOptions {
  /** The body's size, announced as `Content-Length` (known already for bytes, text and blobs). */
  size?: number | undefined
  /** Create only: fails with `PreconditionFailed` when the key exists (`If-None-Match: *`). */
  ifNoneMatch?: '*' | undefined
  /** Called as bytes leave for the service (in Node; a browser reports a blob only when it is sent). */
  onProgress?: ProgressListener | undefined
}

/** How a copy or a move writes its target. */
export interface MoveOptions extends CallOptions {
  /**
   * Create only: fails with `PreconditionFailed` (412) when `to` exists, changing nothing
   * (`If-None-Match: *`). Without it, a taken `to` is replaced.
   */
  ifNoneMatch?: '*' | undefined
}

/** How a download runs. */
export interface DownloadOptions extends CallOptions {
  /** An RFC 9110 range: `bytes=0-99`, `bytes=100-`, `bytes=-100`. */
  range?: string | undefined
  /** The etag the caller holds: an unchanged object answers `notModified` without its bytes. */
  ifNoneMatch?: string | undefined
}

/** A download: the object's description and its bytes as a stream (read it or cancel it). */
export interface Download {
  head: ObjectHead
  /** `null` when the object is unchanged (`ifNoneMatch`) and nothing was sent. */
  body: ReadableStream<Uint8Array> | null
  /** True when the object matched `ifNoneMatch` (HTTP 304). */
  notModified: boolean
}

/** How a signed URL is made. */
export interface SignOptions extends CallOptions {
  /** `GET` to download (default), `PUT` to upload. */
  method?: 'GET' | 'PUT' | undefined
  /** Seconds until the URL stops working; default 3600. */
  expiresIn?: number | undefined
  /** A PUT's type, which the uploader must send. */
  contentType?: string | undefined
  /** The `Content-Disposition` a GET answers with. */
  contentDisposition?: string | undefined
  /** A signed render instead: the transform (`w=200,h=200` or an object) is sealed in the URL. */
  transform?: string | Record<string, string | number> | undefined
}

/** The objects of buckets: upload, download, stat, list, delete, copy, move, sign, render URLs. */
export class ObjectsApi {
  readonly #transport: HttpTransport
  readonly #contentUrl: () => string

  /** `contentUrl` gives the content origin, where renders and public files are served. */
  constructor(transport: HttpTransport, contentUrl: () => string) {
    this.#transport = transport
    this.#contentUrl = contentUrl
  }

  /**
   * Uploads a body to `bucket`/`key` in one request, streamed (never read whole). Throws `TooLarge`,
   * `QuotaExceeded`, `UnsupportedMediaType`, `PreconditionFailed` (with `ifNoneMatch`), `AccessDenied`;
   * nothing is stored then.
   */
  async upload(
    bucket: string,
    key: string,
    body: UploadBody,
    options: UploadOptions = {},
  ): Promise<ObjectInfo> {
    const headers = attributeHeaders(options)
    const size = options.size ?? sizeOf(body)
    if (size !== undefined) headers['content-length'] = String(size)
    if (options.ifNoneMatch !== undefined) headers['if-none-match'] = options.ifNoneMatch
    return this.#transport.json<ObjectInfo>({
      method: 'PUT',
      path: objectPath(bucket, key),
      headers,
      ...uploadRequest(body, options.onProgress),
      transfer: true,
      signal: options.signal,
      timeout: options.timeout,
    })
  }

  /**
   * Uploads over tus (`tus-js-client`), in chunks, resumable: after a lost connection it continues
   * from the service's offset, and with `resume` a later run (or page load) continues an upload an
   * earlier one started. Aborting keeps the upload on the service for resuming. The service stores
   * the object, with the bucket's limits and type checks, when the last byte arrives.
   */
  uploadResumable(
    bucket: string,
    key: string,
    body: ResumableBody,
    options?: ResumableUploadOptions,
  ): Promise<void> {
    return resumableUpload(this.#transport, { bucket, key }, body, options)
  }

  /** Downloads an object (or a range of it); throws `NotFound`, `InvalidRange`, `AccessDenied`. */
  async download(bucket: string, key: string, options: DownloadOptions = {}): Promise<Download> {
    const headers: Record<string, string> = {}
    if (options.range !== undefined) headers.range = options.range
    if (options.ifNoneMatch !== undefined) headers['if-none-match'] = options.ifNoneMatch
    const response = await this.#transport.send({
      path: objectPath(bucket, key),
      headers,
      transfer: true,
      signal: options.signal,
      timeout: options.timeout,
    })
    const notModified = response.status === 304
    return { head: headOfHeaders(response.headers), body: notModified ? null : response.body, notModified }
  }

  /** An object's description from a HEAD; throws `NotFound` when there is none. */
  async head(bucket: string, key: string, options: CallOptions = {}): Promise<ObjectHead> {
    const response = await this.#transport.send({ method: 'HEAD', path: objectPath(bucket, key), ...options })
    return headOfHeaders(response.headers)
  }

  /** Whether an object exists (a HEAD; `NotFound` is no). */
  async exists(bucket: string, key: string, options: CallOptions = {}): Promise<boolean> {
    try {
      await this.head(bucket, key, options)
      return true
    } catch (error) {
      if ((error as { code?: unknown }).code === 'NotFound') return false
      throw error
    }
  }

  /**
   * An object's full description (its sha256 and image facts from the index too): the HEAD, and the
   * listing entry of its key. Throws `NotFound`.
   */
  async stat(
    bucket: string,
    key: string,
    options: CallOptions = {},
  ): Promise<ObjectHead & Partial<ObjectSummary>> {
    const head = await this.head(bucket, key, options)
    const page = await listPage(this.#transport, bucket, { ...options, prefix: key, limit: 1 })
    const listed = page.objects[0]
    if (listed?.key !== key) return head
    const sha256 = head.sha256 ?? listed.sha256
    return sha256 === undefined ? { ...listed, ...head } : { ...listed, ...head, sha256 }
  }

  /** Deletes an object; deleting one that does not exist is no error. */
  async delete(bucket: string, key: string, options: CallOptions = {}): Promise<void> {
    await this.#transport.send({ method: 'DELETE', path: objectPath(bucket, key), ...options })
  }

  /** Deletes up to 1000 keys, or every key under a prefix; each key's failure is in the answer. */
  deleteMany(
    bucket: string,
    what: { keys: readonly string[] } | { prefix: string },
    options: CallOptions = {},
  ) {
    return this.#transport.json<DeleteResult>({
      method: 'POST',
      path: `${bucketPath(bucket)}/delete`,
      json: what,
      ...options,
    })
  }

  /** Copies an object within the bucket, server-side; the copy's description. */
  copy(bucket: string, from: string, to: string, options: MoveOptions = {}): Promise<ObjectInfo> {
    return this.#fromTo('copy', bucket, { from, to }, options)
  }

  /** Moves (renames) an object within the bucket; the moved object's description. */
  move(bucket: string, from: string, to: string, options: MoveOptions = {}): Promise<ObjectInfo> {
    return this.#fromTo('move', bucket, { from, to }, options)
  }

  #fromTo(
    operation: 'copy' | 'move',
    bucket: string,
    json: { from: string; to: string },
    options: MoveOptions,
  ): Promise<ObjectInfo> {
    const { ifNoneMatch, ...call } = options
    const headers: Record<string, string> = ifNoneMatch === undefined ? {} : { 'if-none-match': ifNoneMatch }
    return this.#transport.json({
      method: 'POST',
      path: `${bucketPath(bucket)}/${operation}`,
      json,
      ...call,
      headers,
    })
  }

  /** One page of a listing. */
  listPage(bucket: string, options?: ListOptions): Promise<ListPage> {
    return listPage(this.#transport, bucket, options)
  }

  /** Every page of a listing (with its common prefixes), fetched as the loop reaches it. */
  listPages(bucket: string, options?: ListOptions): AsyncGenerator<ListPage> {
    return listPages(this.#transport, bucket, options)
  }

  /** Every object of a listing, pages followed as the loop reaches them: `for await (const o of …)`. */
  list(bucket: string, options?: ListOptions): AsyncGenerator<ObjectSummary> {
    return listObjects(this.#transport, bucket, options)
  }

  /** A signed URL: one key, one method, no credentials, until it expires (at most 7 days). */
  sign(bucket: string, key: string, options: SignOptions = {}): Promise<SignedUrl> {
    const { signal, timeout, method = 'GET', expiresIn = 3600, ...rest } = options
    const json = { key, method, expiresIn, ...rest }
    return this.#transport.json({ method: 'POST', path: `${bucketPath(bucket)}/sign`, json, signal, timeout })
  }

  /**
   * Signed render URLs for many keys of a (private) bucket, `transform` sealed in each, one request
   * per thousand keys. Needs the sign permission and read on every key: one key outside the
   * credential's scope refuses the whole batch with `AccessDenied`.
   */
  signRenders(
    bucket: string,
    keys: readonly string[],
    transform: string | Record<string, string | number>,
    options?: SignRendersOptions,
  ): Promise<RenderUrls> {
    return signRenders(this.#transport, bucket, keys, transform, options)
  }

  /**
   * A short link (two minutes) that downloads objects and folders (keys ending in `/`) as one zip,
   * with names below `base`. The service checks the credential on each (read; list and read on a
   * folder) and refuses a selection over its limits (`TooLarge`). The link itself needs no credential,
   * so a browser can navigate to it and save the file. The URL is absolute, on the API origin.
   */
  async zipLink(
    bucket: string,
    keys: readonly string[],
    options: CallOptions & { base?: string | undefined } = {},
  ): Promise<ZipLink> {
    const { signal, timeout, base } = options
    const json = base === undefined ? { keys } : { keys, base }
    const path = `${bucketPath(bucket)}/zip`
    const link = await this.#transport.json<ZipLink>({ method: 'POST', path, json, signal, timeout })
    // The service answers a path on the API origin: absolute, it works outside a page of that origin.
    return { ...link, url: this.#transport.url(link.url) }
  }

  /**
   * The URL of a public render on the content origin (`/render/…?w=…`, parameters checked and in
   * canonical order so equal renders share caches), or of one of the bucket's named variants. Made
   * locally, no request; private buckets need `sign` with `transform` instead.
   */
  renderUrl(bucket: string, key: string, options?: RenderUrlOptions): string {
    try {
      return renderUrl(this.#contentUrl(), bucket, key, options)
    } catch (error) {
      // The builder checks parameters with the core's rules: its refusal, as this client's error.
      if (error instanceof StorageError) throw new CofferError(error.code, 0, error.message, { cause: error })
      throw error
    }
  }

  /** The URL of an object of a public bucket on the content origin (`/public/…`). */
  publicUrl(bucket: string, key: string): string {
    return `${this.#contentUrl()}/public/${encodeURIComponent(bucket)}/${encodeKey(key)}`
  }
}
