import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { normalizeKey, normalizeMediaType, StorageError, type UploadOptions } from '@coffer/core'
import { FileStore } from '@tus/file-store'
import { Metadata, Server, type Upload } from '@tus/server'
import type { FastifyRequest } from 'fastify'
import { type AppContext, authorize, principalOf } from '../app-context.ts'
import type { BucketObjects } from '../buckets/bucket-objects.ts'
import { ownerOf, type UploadSession, UploadSessionStore } from './upload-session-store.ts'

/** Where the tus routes are mounted. */
export const TUS_PATH = '/v1/uploads'

/** An authorised tus request: its upload's session and the bucket it writes into. */
export interface Pending {
  session: UploadSession
  objects: BucketObjects
  /** Set when the finished bytes could not be stored; the route answers with it. */
  failure?: unknown
}

/** The value of a header sent once (Node joins repeated ones with ", "). */
function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/**
 * Resumable uploads (tus 1.0: creation, HEAD, PATCH, termination) with `@tus/server`. Parts are staged
 * on disk by `@tus/file-store`; a complete upload is streamed into its bucket through the core (type
 * detection, the bucket's limits, checksums), then its staged file and session are removed. Coffer
 * authorises each request before tus sees it: `write` on the target key, by the creating credential.
 */
export class TusUploads {
  readonly sessions: UploadSessionStore
  readonly #ctx: AppContext
  readonly #store: FileStore
  readonly #tus: Server
  readonly #pending = new WeakMap<Request, Pending>()

  constructor(ctx: AppContext, directory: string) {
    this.#ctx = ctx
    this.sessions = new UploadSessionStore(ctx.db)
    this.#store = new FileStore({ directory })
    this.#tus = new Server({
      path: TUS_PATH,
      datastore: this.#store,
      relativeLocation: true,
      exposedHeaders: ['X-Coffer-Key', 'ETag'],
      respectForwardedHeaders: false,
      namingFunction: (req) => this.#of(req).session.id,
      maxSize: (req) => this.#pending.get(req)?.objects.bucket.maxFileSize ?? 0,
      onUploadFinish: (req, upload) => this.#finish(this.#of(req), upload),
    })
  }

  #of(req: Request): Pending {
    const pending = this.#pending.get(req)
    if (pending === undefined) throw new StorageError('Internal', 'tus request without an authorised upload')
    return pending
  }

  /** Checks a creation request (metadata, credential, bucket policy) and records its session. */
  async authorizeCreation(request: FastifyRequest): Promise<Pending> {
    const principal = await principalOf(this.#ctx, request)
    let meta: Record<string, string | null>
    try {
      meta = Metadata.parse(header(request, 'upload-metadata'))
    } catch {
      throw new StorageError('InvalidArgument', 'Upload-Metadata is not valid tus metadata')
    }
    const bucket = meta.bucket
    if (!bucket) throw new StorageError('InvalidArgument', 'Upload-Metadata needs a bucket')
    const named = meta.key
      ? meta.key
      : meta.filename
        ? this.#ctx.storage.generateUniqueObjectName(
            meta.filename,
            meta.prefix ? { prefix: meta.prefix } : {},
          )
        : undefined
    if (named === undefined)
      throw new StorageError('InvalidArgument', 'Upload-Metadata needs a key or a filename')
    const key = normalizeKey(named)
    const objects = await authorize(this.#ctx, request, bucket, [key, 'write'])
    const lengthHeader = header(request, 'upload-length')
    const length = lengthHeader === undefined ? undefined : Number(lengthHeader)
    const max = objects.bucket.maxFileSize
    if (length !== undefined && max !== undefined && length > max) {
      throw new StorageError('TooLarge', `the upload is larger than the bucket's limit of ${max} bytes`)
    }
    // Refused early when the quota has no room now; the finished upload reserves for real when stored.
    if (length !== undefined && Number.isSafeInteger(length)) await objects.checkRoom(key, length)
    const session: UploadSession = {
      id: randomBytes(16).toString('hex'),
      bucket,
      key,
      owner: ownerOf(principal),
      createdAt: new Date().toISOString(),
    }
    if (length !== undefined && Number.isSafeInteger(length)) session.length = length
    if (meta.contentType) session.contentType = normalizeMediaType(meta.contentType)
    await this.sessions.create(session)
    return { session, objects }
  }

  /**
   * Checks a request on an existing upload: the creating credential, still allowed to write the key.
   * Another credential gets 404, so upload ids do not leak.
   */
  async authorizeUpload(request: FastifyRequest, id: string): Promise<Pending> {
    const principal = await principalOf(this.#ctx, request)
    const session = await this.sessions.find(id)
    if (session === undefined || session.owner !== ownerOf(principal)) {
      throw new StorageError('NotFound', 'no such upload')
    }
    const objects = await authorize(this.#ctx, request, session.bucket, [session.key, 'write'])
    return { session, objects }
  }

  /** Runs an authorised request through tus; the body streams from the raw request, unparsed. */
  async handle(request: FastifyRequest, pending?: Pending): Promise<Response> {
    const raw = request.raw
    const hasBody = request.method === 'PATCH' || request.method === 'POST'
    const headers = new Headers()
    for (const [name, value] of Object.entries(raw.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
    }
    const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers }
    if (hasBody) {
      init.body = Readable.toWeb(raw) as ReadableStream<Uint8Array>
      init.duplex = 'half'
    }
    // Locations are relative, so the origin is never used (and an odd Host header cannot break it).
    const webRequest = new Request(new URL(raw.url ?? '/', 'http://coffer.invalid'), init)
    if (pending !== undefined) this.#pending.set(webRequest, pending)
    return this.#tus.handleWeb(webRequest)
  }

  /** Forgets an upload: its staged bytes and its session (termination, or after it is stored). */
  async forget(id: string): Promise<void> {
    await this.#store.remove(id).catch(() => undefined)
    await this.sessions.delete(id)
  }

  /**
   * Forgets uploads abandoned for `idleMs`: created that long ago and with no byte staged since.
   * Returns how many it removed.
   */
  async sweep(idleMs: number): Promise<number> {
    const cutoff = Date.now() - idleMs
    let removed = 0
    for (const id of await this.sessions.createdBefore(new Date(cutoff).toISOString())) {
      const staged = await stat(join(this.#store.directory, id)).catch(() => undefined)
      if (staged !== undefined && staged.mtimeMs >= cutoff) continue
      await this.forget(id)
      removed += 1
    }
    return removed
  }

  /** Streams the staged file into the bucket; whatever happens, nothing of the upload stays staged. */
  async #finish(pending: Pending, upload: Upload): Promise<{ headers: Record<string, string> }> {
    const { session, objects } = pending
    try {
      const opts: Omit<UploadOptions, 'key'> = {}
      if (upload.size !== undefined) opts.contentLength = upload.size
      if (session.contentType !== undefined) opts.contentType = session.contentType
      const info = await objects.upload(
        session.key,
        createReadStream(join(this.#store.directory, upload.id)),
        opts,
      )
      return { headers: { 'x-coffer-key': info.key, etag: info.etag } }
    } catch (error) {
      // The route answers with this error as a problem document; tus only needs to stop.
      pending.failure = error
      throw { status_code: 500, body: 'internal error' }
    } finally {
      await this.forget(upload.id)
    }
  }
}
