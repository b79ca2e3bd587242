import { ERROR_CODES, type StorageErrorCode } from '@coffer/core/errors'

/** Codes a failed call may retry: the service was unreachable, slow, or busy. */
const RETRYABLE: ReadonlySet<StorageErrorCode> = new Set(['Unavailable', 'Timeout', 'TooManyRequests'])
const KNOWN: ReadonlySet<string> = new Set(ERROR_CODES)

/**
 * Every failure of a `CofferClient` call: a refusal of the service (its problem document's code and
 * status), a service that could not be reached (`Unavailable`, status 0), a call that ran out of time
 * (`Timeout`) or was aborted (`Aborted`). `code` is one of the core's error codes, the same ones the
 * server maps to statuses, so callers branch on it rather than on statuses or message text.
 */
export class CofferError extends Error {
  override name = 'CofferError'
  /** What went wrong, as the core names it. */
  readonly code: StorageErrorCode
  /** The HTTP status of the answer; 0 when there was none (unreachable, timed out, aborted). */
  readonly status: number
  /** Whether the same call may succeed when made again. */
  readonly retryable: boolean

  constructor(code: StorageErrorCode, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.status = status
    this.retryable = RETRYABLE.has(code)
  }
}

/** Whether a code (from a problem document, or a batch's per-key errors) is one of the core's. */
export function isErrorCode(code: string): code is StorageErrorCode {
  return KNOWN.has(code)
}

/** True when `error` is a `CofferError`, with one of `codes` when some are given. */
export function isCofferError(error: unknown, ...codes: StorageErrorCode[]): error is CofferError {
  return error instanceof CofferError && (codes.length === 0 || codes.includes(error.code))
}

/** The code of an answer without a problem document (a proxy's page, an old service), by its status. */
function codeOfStatus(status: number): StorageErrorCode {
  if (status === 400) return 'InvalidArgument'
  if (status === 401) return 'MissingCredentials'
  if (status === 403) return 'AccessDenied'
  if (status === 404 || status === 410) return 'NotFound'
  if (status === 408) return 'RequestTimeout'
  if (status === 409) return 'Conflict'
  if (status === 412) return 'PreconditionFailed'
  if (status === 413) return 'TooLarge'
  if (status === 415) return 'UnsupportedMediaType'
  if (status === 416) return 'InvalidRange'
  if (status === 429) return 'TooManyRequests'
  if (status === 502 || status === 503) return 'Unavailable'
  if (status === 504) return 'Timeout'
  return status >= 500 ? 'Internal' : 'InvalidArgument'
}

/**
 * The error an answer other than 2xx/304 stands for: its problem document's code and detail (RFC 9457),
 * or a code from the status when the body is no problem document (or a HEAD answer, which has none).
 */
export async function errorOfResponse(response: Response): Promise<CofferError> {
  const text = await response.text().catch(() => '')
  let problem: { code?: unknown; detail?: unknown; title?: unknown } = {}
  try {
    problem = JSON.parse(text) as typeof problem
  } catch {
    // Not JSON: the status alone tells what happened.
  }
  const code =
    typeof problem.code === 'string' && isErrorCode(problem.code)
      ? problem.code
      : codeOfStatus(response.status)
  const detail = typeof problem.detail === 'string' ? problem.detail : problem.title
  const message = typeof detail === 'string' ? detail : `${response.status} ${response.statusText}`.trim()
  return new CofferError(code, response.status, message)
}
