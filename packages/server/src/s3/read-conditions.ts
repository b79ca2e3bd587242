import type { ObjectInfo } from '@coffer/core'
import { single } from '../http/receive-object.ts'
import type { S3Call } from './s3-call.ts'
import { S3Error } from './s3-error.ts'

const HEADERS = ['if-match', 'if-unmodified-since', 'if-modified-since'] as const

/** Whether a read names a condition that `serveObject` does not evaluate itself. */
export function hasReadConditions(call: S3Call): boolean {
  return HEADERS.some((name) => call.request.headers[name] !== undefined)
}

const unquoted = (tag: string) => tag.trim().replace(/^W\//, '').replaceAll('"', '')

/** An HTTP date's time, or undefined when it is not one (an invalid date is ignored, per RFC 9110). */
function dateOf(call: S3Call, name: string): number | undefined {
  const value = single(call.request, name)
  const time = value === undefined ? Number.NaN : Date.parse(value)
  return Number.isNaN(time) ? undefined : time
}

/**
 * Evaluates `If-Match`, `If-Unmodified-Since` and `If-Modified-Since` against an object (RFC 9110
 * §13.2.2, as S3 does): a failed precondition is `PreconditionFailed` (412); an object not modified
 * since the given date answers `'not-modified'` (304), unless `If-None-Match` decides instead.
 * Dates compare in whole seconds, the resolution of HTTP dates.
 */
export function evaluateReadConditions(call: S3Call, info: ObjectInfo): 'not-modified' | undefined {
  const modified = Math.floor(info.lastModified.getTime() / 1000) * 1000
  const ifMatch = single(call.request, 'if-match')
  if (ifMatch !== undefined) {
    const etag = unquoted(info.etag)
    if (!ifMatch.split(',').some((tag) => unquoted(tag) === etag || tag.trim() === '*')) {
      throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold')
    }
  } else {
    const unmodifiedSince = dateOf(call, 'if-unmodified-since')
    if (unmodifiedSince !== undefined && modified > unmodifiedSince) {
      throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold')
    }
  }
  if (call.request.headers['if-none-match'] !== undefined) return undefined
  const modifiedSince = dateOf(call, 'if-modified-since')
  return modifiedSince !== undefined && modified <= modifiedSince ? 'not-modified' : undefined
}
