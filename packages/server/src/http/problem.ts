import { STATUS_CODES } from 'node:http'
import { isStorageError, StorageError, type StorageErrorCode } from '@coffer/core'

/**
 * The one table from error codes to HTTP statuses. `MissingCredentials` is the caller's: no valid
 * credential came with the request (a backend's missing credentials are reported as `Unavailable`).
 * 499 is the de-facto status for "the client closed the request" (nobody reads it, but logs do).
 */
export const STATUS_OF: Readonly<Record<StorageErrorCode, number>> = {
  NotFound: 404,
  AlreadyExists: 409,
  PreconditionFailed: 412,
  Conflict: 409,
  InvalidKey: 400,
  InvalidArgument: 400,
  InvalidRange: 416,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  PartTooSmall: 400,
  TooLarge: 413,
  QuotaExceeded: 413,
  UnsupportedMediaType: 415,
  UnprocessableContent: 422,
  AccessDenied: 403,
  MissingCredentials: 401,
  Unavailable: 503,
  Timeout: 504,
  RequestTimeout: 408,
  TooManyRequests: 429,
  Aborted: 499,
  Internal: 500,
}

/** An `application/problem+json` body (RFC 9457), with Coffer's error code as an extension member. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: StorageErrorCode
}

/** The media type of problem documents (RFC 9457 §3). */
export const PROBLEM_TYPE = 'application/problem+json'

/** Fastify's own client errors (bad JSON, schema validation, body limits) in Coffer's codes. */
function fromFastify(error: { statusCode?: number; message: string; validation?: unknown }): StorageError {
  const status = error.statusCode ?? 500
  if (error.validation !== undefined) return new StorageError('InvalidArgument', error.message)
  if (status === 413) return new StorageError('TooLarge', 'the request body is too large')
  if (status === 415)
    return new StorageError('UnsupportedMediaType', 'this content type is not accepted here')
  if (status === 404) return new StorageError('NotFound', 'no such resource')
  if (status >= 400 && status < 500) return new StorageError('InvalidArgument', error.message)
  return new StorageError('Internal', 'internal error', { cause: error })
}

/** Whatever a handler threw, as a StorageError whose message is safe to show. */
export function toPublicError(error: unknown): StorageError {
  if (isStorageError(error)) return error
  if (error instanceof Error && typeof (error as { statusCode?: unknown }).statusCode === 'number') {
    return fromFastify(error as Error & { statusCode: number })
  }
  return new StorageError('Internal', 'internal error', { cause: error })
}

/**
 * The problem document of an error. `Internal` failures get a generic detail: their message may name
 * a backend, a host or a path, which the caller has no business seeing (the log has the cause).
 */
export function problemOf(error: StorageError): Problem {
  const status = STATUS_OF[error.code]
  return {
    type: `urn:coffer:error:${error.code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: error.code === 'Internal' ? 'internal error' : error.message,
    code: error.code,
  }
}

/** The problem document of a request no route reached (malformed HTTP, a CONNECT, an `Expect`). */
export function protocolProblemBody(status: number, title: string, detail: string): string {
  return JSON.stringify({
    type: 'urn:coffer:error:InvalidArgument',
    title,
    status,
    detail,
    code: 'InvalidArgument',
  })
}

/**
 * A whole HTTP response carrying a problem document, for a socket no route answers (a request Node
 * could not parse, a CONNECT); the connection closes after it.
 */
export function rawProblem(status: number, title: string, detail: string): string {
  const body = protocolProblemBody(status, title, detail)
  return (
    `HTTP/1.1 ${status} ${title}\r\nConnection: close\r\nContent-Type: ${PROBLEM_TYPE}\r\n` +
    `X-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  )
}
