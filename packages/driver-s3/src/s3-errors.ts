import { StorageError, type StorageErrorCode, type StorageErrorOptions } from '@coffer/core'

interface SdkError {
  name?: string
  code?: string
  message?: string
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number }
  /** S3's InvalidRange error document names the object's size; not every S3-compatible server does. */
  ActualObjectSize?: unknown
}

const BY_NAME: Record<string, StorageErrorCode> = {
  NoSuchKey: 'NotFound',
  NotFound: 'NotFound',
  NoSuchUpload: 'NotFound',
  AccessDenied: 'AccessDenied',
  InvalidAccessKeyId: 'AccessDenied',
  SignatureDoesNotMatch: 'AccessDenied',
  RequestTimeTooSkewed: 'AccessDenied',
  PreconditionFailed: 'PreconditionFailed',
  InvalidRange: 'InvalidRange',
  EntityTooLarge: 'TooLarge',
  InvalidPart: 'InvalidPart',
  InvalidPartOrder: 'InvalidPartOrder',
  EntityTooSmall: 'PartTooSmall',
  SlowDown: 'Unavailable',
  ServiceUnavailable: 'Unavailable',
  Throttling: 'Unavailable',
  ThrottlingException: 'Unavailable',
  InternalError: 'Unavailable',
  // Bytes damaged on their way to the server (Content-MD5 mismatch), still so after the retries.
  BadDigest: 'Unavailable',
  XAmzContentSHA256Mismatch: 'Unavailable',
  RequestTimeout: 'Timeout',
  // Our own connect, idle and request timeouts: the server did not answer; 503, try again.
  TimeoutError: 'Unavailable',
  RequestTimeoutException: 'Timeout',
  CredentialsProviderError: 'MissingCredentials',
  AbortError: 'Aborted',
  AccessControlListNotSupported: 'InvalidArgument',
}

const BY_STATUS: Record<number, StorageErrorCode> = {
  403: 'AccessDenied',
  404: 'NotFound',
  412: 'PreconditionFailed',
  416: 'InvalidRange',
  429: 'Unavailable',
  500: 'Unavailable',
  502: 'Unavailable',
  503: 'Unavailable',
  504: 'Timeout',
}

const NETWORK: Record<string, StorageErrorCode> = {
  ECONNRESET: 'Unavailable',
  ECONNREFUSED: 'Unavailable',
  EPIPE: 'Unavailable',
  ENOTFOUND: 'Unavailable',
  EAI_AGAIN: 'Unavailable',
  ETIMEDOUT: 'Unavailable',
  ECONNABORTED: 'Unavailable',
  EHOSTUNREACH: 'Unavailable',
  ENETUNREACH: 'Unavailable',
  // A response body that ended before its length: the connection broke mid-stream.
  ERR_STREAM_PREMATURE_CLOSE: 'Unavailable',
}

const MESSAGES: Partial<Record<StorageErrorCode, string>> = {
  NotFound: 'not found',
  AccessDenied: 'the S3 server refused the credentials or the request',
  PreconditionFailed: 'a precondition failed (the object exists or changed)',
  InvalidRange: 'the range cannot be satisfied',
  TooLarge: 'the object is too large for the S3 server',
  InvalidPart: 'a part is missing or its etag does not match',
  InvalidPartOrder: 'the parts are not in ascending order',
  PartTooSmall: 'a part other than the last is smaller than 5 MiB',
  Unavailable: 'the S3 server is unavailable or throttling',
  Timeout: 'the S3 server did not answer in time',
  MissingCredentials: 'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
  Aborted: 'the operation was aborted',
  InvalidArgument: 'the bucket has ACLs disabled (BucketOwnerEnforced): configure the driver without acl',
}

/**
 * The SDK's error reduced to what is safe to keep: name, status and request id. The SDK copies every
 * field of S3's error document onto the exception (for SignatureDoesNotMatch these include
 * `SignatureProvided` and `StringToSign`), so the original must never travel as the cause.
 */
function sanitize(error: SdkError): Error {
  const status = error.$metadata?.httpStatusCode
  const clean = new Error(`${error.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}`)
  clean.name = error.name ?? 'Error'
  Object.assign(clean, { status, requestId: error.$metadata?.requestId, code: error.code })
  return clean
}

/** Maps any failure of an S3 call to a `StorageError` whose message and cause hold no secret. */
export function s3Error(error: unknown, what: string, key?: string): StorageError {
  if (error instanceof StorageError) return error
  const sdk = (error ?? {}) as SdkError
  if (sdk.name === 'NoSuchBucket') {
    // A configuration error, not a missing object: the service cannot work until it is fixed.
    const message = `${what}: the configured bucket does not exist`
    return new StorageError('Unavailable', message, { cause: sanitize(sdk), retryable: false })
  }
  const status = sdk.$metadata?.httpStatusCode
  const code =
    BY_NAME[sdk.name ?? ''] ??
    NETWORK[sdk.code ?? ''] ??
    (status === undefined ? undefined : BY_STATUS[status]) ??
    (status !== undefined && status >= 500 ? 'Unavailable' : 'Internal')
  const detail = MESSAGES[code] ?? 'failed'
  // An error the S3 server did not answer (no `$metadata`) is this process's own: most often the
  // body's stream failing its checks (a checksum or a chunk signature the caller got wrong), which
  // the caller must see as such (`BadDigest`, not 500). It holds nothing of an S3 error document,
  // so it travels as the cause unchanged, for the layer above to find.
  const local = sdk.$metadata === undefined && error instanceof Error
  const options: StorageErrorOptions = { cause: local ? error : sanitize(sdk) }
  if (key !== undefined) options.key = key
  const objectSize = Number(sdk.ActualObjectSize ?? Number.NaN)
  if (code === 'InvalidRange' && Number.isSafeInteger(objectSize)) options.objectSize = objectSize
  if (code === 'NotFound' && key !== undefined)
    return new StorageError(code, (name) => `${what}: no object at "${name}"`, options)
  return new StorageError(code, `${what}: ${detail}`, options)
}

/** Whether the S3 server answered that it does not implement the operation (405 or 501). */
export function isUnsupported(error: unknown): boolean {
  const sdk = (error ?? {}) as SdkError
  const status = sdk.$metadata?.httpStatusCode
  return sdk.name === 'NotImplemented' || sdk.name === 'MethodNotAllowed' || status === 405 || status === 501
}

/**
 * The S3 server lacks an operation of its own multipart API: a configuration error, as a missing
 * bucket is (503, not retryable), whose message names the option that avoids that API.
 */
export function stagedNeeded(error: unknown, what: string): StorageError {
  const message =
    `${what}: the S3 server does not implement this multipart operation; configure the driver ` +
    `with multipart: 'staged' (COFFER_S3_MULTIPART=staged)`
  return new StorageError('Unavailable', message, { cause: sanitize(error as SdkError), retryable: false })
}
