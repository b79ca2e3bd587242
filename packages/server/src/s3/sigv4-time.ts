import type { IncomingHttpHeaders } from 'node:http'
import { parseAmzDate } from './request-target.ts'
import { S3Error } from './s3-error.ts'
import type { SigV4Auth } from './sigv4-auth.ts'

/** The server's clock and how far a request's time may stray from it. */
export interface SigV4Clock {
  readonly now: () => number
  readonly maxSkewMs: number
}

function basicIso(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

/** A request's claimed time, and the same as SigV4's long date. */
export interface Claimed {
  date: Date
  longDate: string
}

/** An `x-amz-date` (header or query) as a claimed time: its text is the long date already. */
function amzTime(text: string | undefined): Claimed | undefined {
  const date = parseAmzDate(text ?? '')
  return date === undefined ? undefined : { date, longDate: text as string }
}

/** The time a header-signed request claims: `x-amz-date`, or else the HTTP `Date` header. */
function headerTime(auth: SigV4Auth, headers: IncomingHttpHeaders): Claimed | undefined {
  const amzDate = headers['x-amz-date']
  if (typeof amzDate === 'string') return amzTime(amzDate)
  const httpDate = headers.date
  // The Date header stands in only when it is signed; x-amz-* headers are checked for that already.
  if (httpDate === undefined || !auth.signedHeaders.includes('date')) return undefined
  const millis = Date.parse(httpDate)
  if (Number.isNaN(millis)) return undefined
  const date = new Date(millis)
  return { date, longDate: basicIso(date) }
}

/**
 * The time a request claims (its `x-amz-date`, HTTP `Date` or presigned `X-Amz-Date`), which must
 * be on the credential's day.
 */
export function claimedTime(
  auth: SigV4Auth,
  headers: IncomingHttpHeaders,
  query: ReadonlyMap<string, string>,
): Claimed {
  const found = auth.kind === 'header' ? headerTime(auth, headers) : amzTime(query.get('X-Amz-Date'))
  if (found === undefined) {
    throw auth.kind === 'header'
      ? new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header')
      : new S3Error(
          'AuthorizationQueryParametersError',
          "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
        )
  }
  if (found.longDate.slice(0, 8) !== auth.shortDate) {
    throw new S3Error(
      auth.kind === 'header' ? 'AuthorizationHeaderMalformed' : 'AuthorizationQueryParametersError',
      "the credential's date must be the day of the request's time",
    )
  }
  return found
}

/**
 * Checks a claimed time against the clock: a header-signed request within the allowed skew (15
 * minutes on S3), a presigned URL between its signing time (less the skew) and its expiry.
 */
export function checkTime(auth: SigV4Auth, { date: claimed, longDate }: Claimed, clock: SigV4Clock): void {
  const now = clock.now()
  const details = () => ({ RequestTime: longDate, ServerTime: new Date(now).toISOString() })
  if (auth.kind === 'query') {
    if (claimed.getTime() - clock.maxSkewMs > now) {
      throw new S3Error('AccessDenied', 'Request is not valid yet', { details: details() })
    }
    if (auth.expires === 0 || claimed.getTime() + (auth.expires ?? 0) * 1000 < now) {
      throw new S3Error('AccessDenied', 'Request has expired', {
        details: { ...details(), 'X-Amz-Expires': auth.expires ?? 0 },
      })
    }
  } else if (Math.abs(claimed.getTime() - now) > clock.maxSkewMs) {
    throw new S3Error(
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
      { details: { ...details(), MaxAllowedSkewMilliseconds: clock.maxSkewMs } },
    )
  }
}
