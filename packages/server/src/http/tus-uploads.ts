import { randomBytes } from 'node:crypto'
import { open, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import {
  checkSegmentLength,
  encodeKeyPath,
  isStorageError,
  type NormalizedKey,
  normalizeKey,
  normalizeMediaType,
  StorageError,
  type UploadOptions,
} from '@coffer/core'
import { FileStore } from '@tus/file-store'
import { Metadata, Server, type Upload } from '@tus/server'
import type { FastifyRequest } from 'fastify'
import { authorize, principalOf } from '../domain/auth/authorize.ts'
import type { BucketObjects } from '../domain/buckets/bucket-objects.ts'
import {
  DEFAULT_STAGING_LIMITS,
  StagingLedger,
  type StagingLimits,
} from '../domain/uploads/staging-ledger.ts'
import { admit, type Incoming, quotaRoom } from '../domain/uploads/upload-admission.ts'
import { ownerOf, type UploadSession, UploadSessionStore } from '../domain/uploads/upload-session-store.ts'
import type { AppContext } from './app-context.ts'
import { bodyOf, single } from './receive-object.ts'
import { type FailureChannel, failHook, keepFailure } from './tus-failure.ts'

/** Where the tus routes are mounted. */
export const TUS_PATH = '/v1/uploads'

/** An authorised tus request: its upload's session and the bucket it writes into. */
export interface Pending extends FailureChannel {
  session: UploadSession
  objects: BucketObjects
  /** The most bytes the upload may reach with this request (its admission), for tus's own checks. */
  maxSize?: number
  /** Bytes the request claimed in the staging ledger. */
  claimed?: number
}

/** A header holding a whole number of bytes, or undefined when absent; InvalidArgument otherwise. */
function bytesHeader(request: FastifyRequest, name: string): number | undefined {
  const value = single(request, name)
  if (value === undefined) return undefined
  const bytes = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(bytes)) {
    throw new StorageError('InvalidArgument', `${name} must be a whole number of bytes`)
  }
  return bytes
}

/**
 * A key as a header value: percent-encoded per segment (UTF-8), "/" kept, since header values are
 * Latin-1 bytes and a key is any Unicode. Clients read it with `decodeURIComponent`.
 */
export function keyHeader(key: string): string {
  return encodeKeyPath(key)
}

/**
 * Resumable uploads (tus 1.0: creation, HEAD, PATCH, termination) with `@tus/server`. Parts are staged
 * on disk by `@tus/file-store`; a complete upload is streamed into its bucket through the core (type
 * detection, the bucket's limits, checksums), then its staged file and session are removed. Coffer
 * authorises each request before tus sees it, and tus only ever sees the authorised upload's id.
 * Staged bytes count against the bucket's size limit and quota and a service-wide cap, and a
 * credential may have only so many uploads open.
 */
export class TusUploads {
  readonly sessions: UploadSessionStore
  readonly #ctx: AppContext
  readonly #store: FileStore
  readonly #tus: Server
  readonly #pending = new WeakMap<Request, Pending>()
  readonly #limits: StagingLimits
  readonly #ledger = new StagingLedger()
  #loaded: Promise<void> | undefined

  constructor(ctx: AppContext, directory: string, limits: Partial<StagingLimits> = {}) {
    this.#ctx = ctx
    this.#limits = { ...DEFAULT_STAGING_LIMITS, ...limits }
    this.sessions = new UploadSessionStore(ctx.db, this.#limits.sessionsPerCredential)
    this.#store = new FileStore({ directory })
    this.#tus = new Server({
      path: TUS_PATH,
      datastore: this.#store,
      relativeLocation: true,
      respectForwardedHeaders: false,
      namingFunction: (req) => this.#of(req).session.id,
      // tus reads an id from the URL; Coffer gives it the authorised one, whatever the URL says.
      getFileIdFromRequest: (req) => this.#of(req).session.id,
      maxSize: (req) => {
        const pending = this.#pending.get(req)
        return pending?.maxSize ?? pending?.objects.bucket.maxFileSize ?? 0
      },
      onUploadFinish: (req, upload) => this.#finish(this.#of(req), upload),
    })
  }

  #of(req: Request): Pending {
    const pending = this.#pending.get(req)
    if (pending === undefined) throw new StorageError('Internal', 'tus request without an authorised upload')
    return pending
  }

  /** Checks a creation request (metadata, credential, bucket policy, limits) and records its session. */
  async authorizeCreation(request: FastifyRequest): Promise<Pending> {
    const principal = await principalOf(this.#ctx, request)
    if (single(request, 'upload-concat') !== undefined) {
      throw new StorageError('InvalidArgument', 'Upload-Concat (parallel uploads) is not supported')
    }
    let meta: Record<string, string | null>
    try {
      meta = Metadata.parse(single(request, 'upload-metadata'))
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
    // The key the storage will write, with its rules and the driver's own limits (the fs driver's
    // segment length), so that an upload it cannot store is refused before any byte is staged.
    const target = objects.storageKey(key)
    checkSegmentLength(target, this.#ctx.storage.driver.capabilities.maxSegmentBytes)
    await refuseTaken(objects, key, meta.ifNoneMatch)
    const length = bytesHeader(request, 'upload-length')
    await this.#checkLength(objects, key, length)
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

  /** Refuses at creation a length the bucket's limit, its quota or the staging cap has no room for. */
  async #checkLength(objects: BucketObjects, key: NormalizedKey, length: number | undefined): Promise<void> {
    if (length === undefined) return
    const max = objects.bucket.maxFileSize
    if (max !== undefined && length > max) {
      throw new StorageError('TooLarge', `the upload is larger than the bucket's limit of ${max} bytes`)
    }
    if (length > this.#limits.totalBytes) {
      throw new StorageError('TooLarge', 'the upload is larger than the service stages for resumable uploads')
    }
    // Refused early when the quota has no room now; the finished upload reserves for real when stored.
    await objects.checkRoom(key, length)
    await this.#load()
    const room = await quotaRoom(this.#ctx, objects.bucket, key)
    if (length > room - this.#ledger.inBucket(objects.bucket.name)) {
      throw new StorageError(
        'QuotaExceeded',
        `bucket "${objects.bucket.name}" has no room for ${length} more bytes within its quota`,
      )
    }
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

  /**
   * Admits the bytes a PATCH (or a creation with a body) will stage, before tus reads any: refused
   * past the bucket's size limit, its quota or the staging cap (see `admit`).
   */
  async admitBytes(request: FastifyRequest, pending: Pending): Promise<void> {
    const { session, objects } = pending
    await this.#load()
    const room = await quotaRoom(this.#ctx, objects.bucket, session.key)
    const incoming: Incoming = {}
    const bodyBytes = bytesHeader(request, 'content-length')
    const length = session.length ?? bytesHeader(request, 'upload-length')
    if (bodyBytes !== undefined) incoming.bodyBytes = bodyBytes
    if (length !== undefined) incoming.length = length
    const admitted = admit(
      this.#ledger,
      this.#limits,
      { id: session.id, bucket: objects.bucket, quotaRoom: room },
      incoming,
    )
    pending.maxSize = admitted.offset + admitted.room
    pending.claimed = admitted.claimed
  }

  /**
   * Runs an authorised request through tus; the body streams from the raw request, unparsed. The
   * URL tus sees is built from the authorised upload's id, never from the request's own URL.
   */
  async handle(request: FastifyRequest, pending?: Pending): Promise<Response> {
    const raw = request.raw
    const hasBody = request.method === 'PATCH' || request.method === 'POST'
    const headers = new Headers()
    for (const [name, value] of Object.entries(raw.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
    }
    const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers }
    if (hasBody) {
      // A body that stalls fails after the idle timeout (408): tus keeps the bytes it staged, and
      // the client resumes from the offset HEAD reports.
      const body = bodyOf(raw, this.#ctx.bodyLimits)
      body.once('error', (error) => {
        if (pending !== undefined && isStorageError(error, 'RequestTimeout')) keepFailure(pending, error)
      })
      init.body = Readable.toWeb(body) as ReadableStream<Uint8Array>
      init.duplex = 'half'
    }
    const path =
      pending === undefined || request.method === 'POST' ? TUS_PATH : `${TUS_PATH}/${pending.session.id}`
    // Locations are relative, so the origin is never used (and an odd Host header cannot break it).
    const webRequest = new Request(new URL(path, 'http://coffer.invalid'), init)
    if (pending === undefined) return this.#tus.handleWeb(webRequest)
    this.#pending.set(webRequest, pending)
    try {
      return await this.#tus.handleWeb(webRequest)
    } finally {
      if (hasBody) await this.#settle(pending.session, pending.claimed ?? 0)
    }
  }

  /** Records what an upload has staged now (after a request wrote to it), ending its claim. */
  async #settle(session: UploadSession, claimed = 0): Promise<void> {
    // No staged file (never written, or already forgotten): nothing counts against the limits.
    const staged = await stat(join(this.#store.directory, session.id)).catch(() => undefined)
    // Both at once, after the await: no request sees the claim gone before the bytes are counted.
    this.#ledger.release(session.id, claimed)
    if (staged === undefined) this.#ledger.drop(session.id)
    else this.#ledger.settle(session.id, session.bucket, staged.size)
  }

  /** Reads what earlier runs staged, once, so that it counts against the limits. */
  #load(): Promise<void> {
    this.#loaded ??= (async () => {
      // No directory yet: no earlier run staged anything.
      const names = await readdir(this.#store.directory).catch(() => [])
      for (const id of names.filter((name) => /^[0-9a-f]{32}$/.test(name))) {
        const session = await this.sessions.find(id)
        if (session !== undefined) await this.#settle(session)
      }
    })()
    return this.#loaded
  }

  /** Forgets an upload: its staged bytes and its session (termination, a failure, or once stored). */
  async forget(id: string): Promise<void> {
    // A missing staged file is what forgetting wants: nothing to report.
    await this.#store.remove(id).catch(() => undefined)
    this.#ledger.drop(id)
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
      // A session without a staged file has staged nothing: it is as idle as its age says.
      const staged = await stat(join(this.#store.directory, id)).catch(() => undefined)
      if (staged !== undefined && staged.mtimeMs >= cutoff) continue
      await this.forget(id)
      removed += 1
    }
    return removed
  }

  /**
   * Streams the staged file into the bucket; whatever happens, nothing of the upload stays staged.
   * The file is opened first and its stream destroyed before the file goes, so a refusal before
   * the first read (a quota, a key the storage refuses) cannot leave a stream to fail on its own.
   */
  async #finish(pending: Pending, upload: Upload): Promise<{ headers: Record<string, string> }> {
    const { session, objects } = pending
    let body: Readable | undefined
    try {
      const file = await open(join(this.#store.directory, upload.id), 'r').catch((error: unknown) => {
        // The cause names the error's code only: the staging directory is a host path.
        const cause = new Error(`open failed: ${(error as NodeJS.ErrnoException).code ?? 'unknown'}`)
        throw new StorageError('Internal', 'the staged upload could not be read', { cause })
      })
      body = file.createReadStream()
      // Errors while reading reach the upload through its pipeline; one after it gave up has nobody
      // to tell, and must not become an uncaught exception.
      body.on('error', () => undefined)
      const opts: Omit<UploadOptions, 'key'> = {}
      if (upload.size !== undefined) opts.contentLength = upload.size
      if (session.contentType !== undefined) opts.contentType = session.contentType
      // Checked at creation too; this is the atomic check, against a name taken since.
      if (upload.metadata?.ifNoneMatch === '*') opts.ifNoneMatch = '*'
      const info = await objects.upload(session.key, body, opts)
      return { headers: { 'x-coffer-key': keyHeader(info.key), etag: info.etag } }
    } catch (error) {
      return failHook(pending, error)
    } finally {
      body?.destroy()
      await this.forget(upload.id)
    }
  }
}

/**
 * Create-only uploads (`ifNoneMatch` `*` in Upload-Metadata, as `If-None-Match: *` on a PUT): a name
 * taken already is refused at creation, before any byte is sent; the finished upload is written
 * create-only, so a name taken meanwhile fails it (412) and nothing is stored.
 */
async function refuseTaken(
  objects: BucketObjects,
  key: NormalizedKey,
  ifNoneMatch: string | null | undefined,
) {
  if (ifNoneMatch === undefined) return
  if (ifNoneMatch !== '*') {
    throw new StorageError('InvalidArgument', 'Upload-Metadata ifNoneMatch only takes "*" (create only)')
  }
  const taken = await objects.stat(key).then(
    () => true,
    (error: unknown) => {
      if (isStorageError(error, 'NotFound')) return false
      throw error
    },
  )
  if (taken) throw new StorageError('PreconditionFailed', `an object already exists at "${key}"`)
}
