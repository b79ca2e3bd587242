import {
  DetailedError,
  type PreviousUpload,
  Upload,
  type UploadOptions,
  type UrlStorage,
} from 'tus-js-client'
import { CofferError, errorOfResponse } from './coffer-error.ts'
import type { CallOptions, HttpTransport } from './http-transport.ts'
import type { ProgressListener } from './upload-body.ts'

/**
 * Where the upload URLs of unfinished resumable uploads are kept between runs, by a fingerprint the
 * caller chooses (the CLI: the file's path, size and modification time, and the target). A URL is
 * recorded before the first byte is sent and forgotten once the object is stored or refused.
 */
export interface UploadUrlStore {
  get(fingerprint: string): Promise<string | undefined>
  set(fingerprint: string, uploadUrl: string): Promise<void>
  delete(fingerprint: string): Promise<void>
}

/** What a resumable upload can send: bytes, a `Blob`/`File` (browsers), a Node `Readable` or `fs.ReadStream`. */
export type ResumableBody = Uint8Array | Blob | NodeJS.ReadableStream

/** How a resumable (tus) upload runs. */
export interface ResumableUploadOptions extends CallOptions {
  /** The object's type; detected by the service when absent. (tus carries no other attribute.) */
  contentType?: string | undefined
  /**
   * Create only: the upload fails with `PreconditionFailed` (412) when the key exists, at creation
   * or, when it is taken while the bytes travel, at the end, storing nothing.
   */
  ifNoneMatch?: '*' | undefined
  /** The body's size in bytes: required for streams (tus announces the length first). */
  size?: number | undefined
  /** Bytes per PATCH: what an interrupted request may cost, against one round trip each. Default 16 MiB. */
  chunkSize?: number | undefined
  /** Called as bytes are sent. */
  onProgress?: ProgressListener | undefined
  /** Continues an upload recorded in `store` under `fingerprint`, and records a new one there. */
  resume?: { store: UploadUrlStore; fingerprint: string } | undefined
  /**
   * Called when the upload continues from the service's offset: after a recorded upload was found,
   * or (with `retry`, the failure) after a lost connection.
   */
  onResume?: ((event: { offset: number; size: number; retry?: Error }) => void) | undefined
  /** Retries in a row after the service could not be reached, each from its offset. Default 3. */
  retries?: number | undefined
  /**
   * What an abort does with the upload on the service: `keep` it to be resumed (default: a CLI
   * stopped by Ctrl-C), or `terminate` it (a person cancelled it in a UI), which frees its staged
   * bytes at once and forgets its record in the `resume` store.
   */
  onAbort?: 'keep' | 'terminate' | undefined
}

/** The largest PATCH body by default (see `chunkSize`). */
export const TUS_CHUNK = 16 * 1024 * 1024

/** Statuses after which a PATCH is sent again from the service's offset: the offset moved, or a lock. */
const RESYNC = new Set([409, 423])

/** tus-js-client's URL storage, backed by the caller's store. */
function urlStorage(store: UploadUrlStore): UrlStorage {
  return {
    findAllUploads: async () => [],
    async findUploadsByFingerprint(fingerprint) {
      const uploadUrl = await store.get(fingerprint)
      if (uploadUrl === undefined) return []
      const previous: PreviousUpload = {
        size: null,
        metadata: {},
        creationTime: '',
        urlStorageKey: fingerprint,
        uploadUrl,
        parallelUploadUrls: null,
      }
      return [previous]
    },
    removeUpload: (fingerprint) => store.delete(fingerprint),
    async addUpload(fingerprint, upload) {
      if (upload.uploadUrl) await store.set(fingerprint, upload.uploadUrl)
      return fingerprint
    },
  }
}

/** A tus failure as a `CofferError`: the service's problem document when it answered. */
async function errorOfTus(error: Error): Promise<CofferError> {
  if (error instanceof CofferError) return error
  const response = error instanceof DetailedError ? error.originalResponse : null
  if (response !== null && response.getStatus() > 0) {
    const body = response.getBody() ?? ''
    const status = response.getStatus()
    return errorOfResponse(new Response(status === 204 || status === 304 ? null : body, { status }))
  }
  return new CofferError('Unavailable', 0, `the upload could not reach the service: ${error.message}`, {
    cause: error,
  })
}

/** The body as tus-js-client takes it: Node's Buffer in Node and a Blob in browsers, not a plain Uint8Array. */
function tusInput(body: ResumableBody): Blob {
  if (!(body instanceof Uint8Array)) return body as Blob
  if (typeof Buffer === 'undefined') return new Blob([body as Uint8Array<ArrayBuffer>])
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength) as unknown as Blob
}

/** tus-js-client's options that record and find the upload's URL in the caller's store. */
function resumeOptions(resume: ResumableUploadOptions['resume']): Partial<UploadOptions> {
  if (resume === undefined) return {}
  return {
    fingerprint: async () => resume.fingerprint,
    urlStorage: urlStorage(resume.store),
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
  }
}

/**
 * tus-js-client's retry and response hooks: a lost connection, a moved offset (409) or a lock (423)
 * is retried, and each HEAD that gives the service's offset is reported to `onResume`, with the
 * failure that caused it when it follows a retry.
 */
function resumeHooks(options: ResumableUploadOptions): Partial<UploadOptions> {
  let retry: Error | undefined
  return {
    retryDelays: Array.from({ length: options.retries ?? 3 }, (_, i) => (i === 0 ? 0 : 1000 * i)),
    onShouldRetry(error) {
      const status = error.originalResponse?.getStatus() ?? 0
      const again = status === 0 || status >= 500 || RESYNC.has(status)
      // The cause (a reset connection) says more than tus's wrapper, which also names the request.
      if (again) retry = error.causingError ?? error
      return again
    },
    onAfterResponse(request, response) {
      if (request.getMethod() !== 'HEAD' || response.getStatus() !== 200) return
      const offset = Number(response.getHeader('Upload-Offset') ?? 0)
      const size = Number(response.getHeader('Upload-Length') ?? options.size ?? 0)
      options.onResume?.(retry === undefined ? { offset, size } : { offset, size, retry })
      retry = undefined
    },
  }
}

/** Uploads a body over tus 1.0 to `/v1/uploads`, resumably; see `ObjectsApi.uploadResumable`. */
export async function resumableUpload(
  transport: HttpTransport,
  target: { bucket: string; key: string },
  body: ResumableBody,
  options: ResumableUploadOptions = {},
): Promise<void> {
  const authorization = await transport.authorization()
  const metadata: Record<string, string> = { bucket: target.bucket, key: target.key }
  if (options.contentType !== undefined) metadata.contentType = options.contentType
  if (options.ifNoneMatch !== undefined) metadata.ifNoneMatch = options.ifNoneMatch
  const { resume } = options
  return new Promise<void>((resolve, reject) => {
    let settled = false
    const finish = (error?: CofferError) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      if (error === undefined) resolve()
      else reject(error)
    }
    const upload = new Upload(tusInput(body), {
      endpoint: transport.url('/v1/uploads'),
      metadata,
      headers: authorization === undefined ? {} : { authorization },
      chunkSize: options.chunkSize ?? TUS_CHUNK,
      ...(options.size === undefined ? {} : { uploadSize: options.size }),
      ...resumeOptions(resume),
      ...resumeHooks(options),
      onProgress: (sent, total) => options.onProgress?.(sent, total),
      onSuccess: () => finish(),
      onError(error) {
        void errorOfTus(error).then(async (failure) => {
          // A refusal ends the upload on the service; only an unreachable service leaves it to resume.
          if (resume !== undefined && failure.status >= 400 && failure.status < 500)
            // Best effort: the refusal, not a failure to forget its record, is what the caller must hear.
            await resume.store.delete(resume.fingerprint).catch(() => {})
          finish(failure)
        })
      },
    })
    const stop = (failure: CofferError, terminate = false) => {
      // Unless terminated, the upload stays on the service, to be resumed. A failure to terminate is
      // the service's sweep's to clean up: the abort, not that failure, is what the caller must hear.
      void upload
        .abort(terminate)
        .catch(() => {})
        .finally(() => finish(failure))
    }
    const onAbort = () =>
      stop(
        new CofferError('Aborted', 0, 'the upload was aborted', { cause: options.signal?.reason }),
        options.onAbort === 'terminate',
      )
    const timer =
      options.timeout === undefined
        ? undefined
        : setTimeout(
            () => stop(new CofferError('Timeout', 0, `the upload took over ${options.timeout} ms`)),
            options.timeout,
          )
    if (options.signal?.aborted) return onAbort()
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const begin = async () => {
      const [previous] = resume === undefined ? [] : await upload.findPreviousUploads()
      if (previous !== undefined) upload.resumeFromPreviousUpload(previous)
      upload.start()
    }
    begin().catch(async (error: Error) => finish(await errorOfTus(error)))
  })
}
