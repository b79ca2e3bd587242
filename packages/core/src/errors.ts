/**
 * The closed set of error codes every layer of Coffer speaks. The server maps them to HTTP statuses
 * in one table, the CLI to exit codes; drivers translate their backend's errors into them.
 */
export const ERROR_CODES = [
  'NotFound',
  'AlreadyExists',
  'PreconditionFailed',
  'Conflict',
  'InvalidKey',
  'InvalidArgument',
  'InvalidRange',
  /** A multipart completion named a part that was not uploaded, or with another etag. */
  'InvalidPart',
  /** A multipart completion listed its parts out of ascending part-number order. */
  'InvalidPartOrder',
  /** A multipart part other than the last is smaller than the minimum part size (5 MiB). */
  'PartTooSmall',
  'TooLarge',
  'QuotaExceeded',
  'UnsupportedMediaType',
  /** Content of an accepted type that cannot be processed: a damaged image, a pixel bomb. */
  'UnprocessableContent',
  'AccessDenied',
  'MissingCredentials',
  'Unavailable',
  'Timeout',
  /** The client was too slow to send its request (a body that stopped arriving). */
  'RequestTimeout',
  /** The caller has too many requests of a kind running at once; retry later. */
  'TooManyRequests',
  'Aborted',
  'Internal',
] as const

export type StorageErrorCode = (typeof ERROR_CODES)[number]

/** Codes whose failures may succeed when the same call is made again. */
const RETRYABLE: ReadonlySet<StorageErrorCode> = new Set(['Unavailable', 'Timeout', 'TooManyRequests'])

export interface StorageErrorOptions {
  /** The backend's original error. Never shown to end users by the server. */
  cause?: unknown
  /** Overrides the code's default (`Unavailable`, `Timeout`, `TooManyRequests` are retryable). */
  retryable?: boolean
  /** The object key the failure is about, when there is one. */
  key?: string
  /**
   * `InvalidRange` from resolving a range against an object: that object's size, so that an HTTP
   * server answers 416 with `Content-Range: bytes *\/<size>` (RFC 9110 §15.5.17) without asking again.
   */
  objectSize?: number
}

/**
 * A message that names the error's key, written from it: a layer that names keys differently (the
 * server's buckets, which hide their prefix) gets the message written again for its name of the key
 * (`withKey`), instead of editing the text.
 */
export type KeyMessage = (key: string) => string

/**
 * The one error type of Coffer. Messages are written for the person using the API: they never contain
 * a secret, a signature or a host path outside the data root.
 */
export class StorageError extends Error {
  override readonly name = 'StorageError'
  readonly code: StorageErrorCode
  readonly retryable: boolean
  readonly key: string | undefined
  /** See `StorageErrorOptions.objectSize`. */
  readonly objectSize: number | undefined

  readonly #describe: KeyMessage | undefined

  /** `message` may be written from the key (`options.key`, required then): see `KeyMessage`. */
  constructor(code: StorageErrorCode, message: string | KeyMessage, options: StorageErrorOptions = {}) {
    const text = typeof message === 'string' ? message : message(options.key ?? '')
    super(text, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.retryable = options.retryable ?? RETRYABLE.has(code)
    this.key = options.key
    this.objectSize = options.objectSize
    this.#describe = typeof message === 'string' ? undefined : message
  }

  /**
   * The same failure about the same object under another name of its key (`key`): its message is
   * written again from that name when it names the key, and kept otherwise. The original is the cause.
   */
  withKey(key: string): StorageError {
    const options: StorageErrorOptions = { cause: this, retryable: this.retryable, key }
    if (this.objectSize !== undefined) options.objectSize = this.objectSize
    return new StorageError(this.code, this.#describe ?? this.message, options)
  }
}

/** True when `error` is a `StorageError`, optionally with one of the given codes. */
export function isStorageError(error: unknown, ...codes: StorageErrorCode[]): error is StorageError {
  return error instanceof StorageError && (codes.length === 0 || codes.includes(error.code))
}

/**
 * Turns whatever an operation threw into a `StorageError`: StorageErrors pass through, an abort becomes
 * `Aborted`, anything else `Internal` with the original as `cause`.
 */
export function toStorageError(error: unknown, what: string, key?: string): StorageError {
  if (error instanceof StorageError) return error
  const opts = key === undefined ? { cause: error } : { cause: error, key }
  if (isAbortError(error)) return new StorageError('Aborted', `${what} was aborted`, opts)
  return new StorageError('Internal', `${what} failed`, opts)
}

/** Node and the web platform name aborts differently; both mean the caller gave up. */
export function isAbortError(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  return error.name === 'AbortError' || (error as NodeJS.ErrnoException).code === 'ABORT_ERR'
}

/**
 * A stand-in for a system error that names its syscall and code but not its path: for causes of
 * errors about the caller's local files, which must not carry host paths either.
 */
export function withoutPath(error: unknown): Error {
  const errno = error as NodeJS.ErrnoException
  const summary = new Error(`${errno?.syscall ?? 'operation'} failed: ${errno?.code ?? 'unknown error'}`)
  Object.assign(summary, { code: errno?.code, syscall: errno?.syscall })
  return summary
}
