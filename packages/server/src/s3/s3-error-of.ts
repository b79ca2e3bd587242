import { isStorageError, type StorageErrorCode } from '@coffer/core'
import { isS3Error, S3_ERROR_STATUS, S3Error, type S3ErrorCode } from './s3-error.ts'

/** What a failed S3 operation was about, which picks between S3's "no such ..." codes. */
export type S3Subject = 'bucket' | 'object' | 'upload'

const NOT_FOUND: Record<S3Subject, [S3ErrorCode, string]> = {
  bucket: ['NoSuchBucket', 'The specified bucket does not exist'],
  object: ['NoSuchKey', 'The specified key does not exist.'],
  upload: ['NoSuchUpload', 'The specified multipart upload does not exist.'],
}

/** Coffer's codes as S3 codes; a function where the subject decides. */
const BY_CODE: Record<StorageErrorCode, S3ErrorCode | ((subject: S3Subject) => S3ErrorCode)> = {
  NotFound: (subject) => NOT_FOUND[subject][0],
  AlreadyExists: (subject) => (subject === 'bucket' ? 'BucketAlreadyOwnedByYou' : 'PreconditionFailed'),
  PreconditionFailed: 'PreconditionFailed',
  Conflict: (subject) => (subject === 'bucket' ? 'BucketNotEmpty' : 'OperationAborted'),
  InvalidKey: 'InvalidArgument',
  InvalidArgument: 'InvalidArgument',
  InvalidRange: 'InvalidRange',
  InvalidPart: 'InvalidPart',
  InvalidPartOrder: 'InvalidPartOrder',
  PartTooSmall: 'EntityTooSmall',
  TooLarge: 'EntityTooLarge',
  QuotaExceeded: 'QuotaExceeded',
  // S3 itself refuses no content type; a bucket policy that does is a refusal of access.
  UnsupportedMediaType: 'AccessDenied',
  // S3 has no code for content it cannot process; its renders are not served on this endpoint.
  UnprocessableContent: 'InvalidArgument',
  AccessDenied: 'AccessDenied',
  // The bucket layer reports a backend without credentials as Unavailable; this is a caller without any.
  MissingCredentials: 'AccessDenied',
  Unavailable: 'ServiceUnavailable',
  Timeout: 'ServiceUnavailable',
  RequestTimeout: 'RequestTimeout',
  TooManyRequests: 'SlowDown',
  Aborted: 'RequestTimeout',
  Internal: 'InternalError',
}

/**
 * The S3 error to answer for a failure of a lower layer. A `StorageError`'s message is written for
 * clients (it never names a secret or a host path) and is kept for 4xx answers, where it says what
 * to change; a 5xx answer, and any other error, says only what S3 says.
 */
export function s3ErrorOf(error: unknown, subject: S3Subject): S3Error {
  if (isS3Error(error)) return error
  // The request's own body failed its checks (a chunk signature, a checksum, a cut-off chunk): the
  // upload below wrapped that as its failure, but it is the client's, and S3 answers it as such.
  const bodyError = s3ErrorInCauses(error)
  if (bodyError !== undefined) return bodyError
  if (isFastifyClientError(error)) {
    // Refused by Fastify before the route (a Content-Type that is no media type): the client's
    // request, not a failure of the service, and not one to log as an error.
    return new S3Error('InvalidRequest', 'the request has a malformed header', { cause: error })
  }
  if (!isStorageError(error)) {
    const refusal = frameworkRefusal(error)
    if (refusal !== undefined) return refusal
    return new S3Error('InternalError', 'We encountered an internal error. Please try again.', {
      cause: error,
    })
  }
  const mapped = BY_CODE[error.code]
  const code = typeof mapped === 'function' ? mapped(subject) : mapped
  if (error.code === 'NotFound') return new S3Error(code, NOT_FOUND[subject][1], { cause: error })
  if (error.code === 'MissingCredentials') return new S3Error(code, 'Access Denied', { cause: error })
  if (S3_ERROR_STATUS[code] >= 500)
    return new S3Error(code, 'We encountered an internal error. Please try again.', { cause: error })
  return new S3Error(code, error.message, { cause: error })
}

/**
 * Fastify's own refusals of a request, before any route runs (415 for a `Content-Type` it cannot
 * parse, such as `image/`): the client's mistake, so a 4xx. Fastify's message is not shown.
 */
function frameworkRefusal(error: unknown): S3Error | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined
  if (status === 415)
    return new S3Error('InvalidArgument', 'the Content-Type header is not a valid media type', {
      cause: error,
    })
  if (status === 413)
    return new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
      cause: error,
    })
  return new S3Error('InvalidRequest', 'the request is not valid', { cause: error })
}

/** The S3 error a lower layer's failure was caused by, if any (a few causes deep at most). */
function s3ErrorInCauses(error: unknown): S3Error | undefined {
  let cause = error instanceof Error ? error.cause : undefined
  for (let depth = 0; depth < 4 && cause !== undefined; depth += 1) {
    if (isS3Error(cause)) return cause
    cause = cause instanceof Error ? cause.cause : undefined
  }
  return undefined
}

/** Whether `error` is one of Fastify's own refusals of a client's request (a 4xx `FST_` error). */
function isFastifyClientError(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown }
  return (
    typeof code === 'string' &&
    code.startsWith('FST_') &&
    typeof statusCode === 'number' &&
    statusCode >= 400 &&
    statusCode < 500
  )
}
