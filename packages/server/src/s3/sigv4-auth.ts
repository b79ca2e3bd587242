import { S3Error, type S3ErrorCode } from './s3-error.ts'

/** The SigV4 algorithm name; the only one this endpoint verifies. */
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256'

/** The longest a presigned URL may live, in seconds: 7 days, as on S3. */
export const MAX_PRESIGNED_SECONDS = 7 * 24 * 60 * 60

/** What a SigV4 `Authorization` header or presigned query string claims, not yet verified. */
export interface SigV4Auth {
  /** Where the signature came from. */
  readonly kind: 'header' | 'query'
  readonly accessKeyId: string
  /** The credential scope's date, `YYYYMMDD`. */
  readonly shortDate: string
  readonly region: string
  readonly service: string
  /** Lowercase header names, in the order the client listed them. */
  readonly signedHeaders: readonly string[]
  readonly signature: string
  /** `X-Amz-Expires` of a presigned URL, in seconds. */
  readonly expires?: number
}

const ACCESS_KEY_ID = /^[A-Za-z0-9._~+=-]{1,128}$/
const SHORT_DATE = /^\d{8}$/
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/

/** `AKID/date/region/service/aws4_request`, the credential of every form (header, query, POST). */
export function parseCredential(
  value: string,
  code: S3ErrorCode,
): Omit<SigV4Auth, 'kind' | 'signedHeaders' | 'signature'> {
  const parts = value.split('/')
  const [accessKeyId = '', shortDate = '', region = '', service = '', terminator] = parts
  if (
    parts.length !== 5 ||
    !ACCESS_KEY_ID.test(accessKeyId) ||
    !SHORT_DATE.test(shortDate) ||
    region === ''
  ) {
    throw new S3Error(
      code,
      'the credential must have the form <access key id>/<YYYYMMDD>/<region>/s3/aws4_request',
    )
  }
  if (service !== 's3' || terminator !== 'aws4_request') {
    throw new S3Error(code, "the credential's scope must end with /s3/aws4_request")
  }
  return { accessKeyId, shortDate, region, service }
}

function parseSignedHeaders(value: string, code: S3ErrorCode): string[] {
  const names = value.split(';')
  if (!names.every((name) => HEADER_NAME.test(name))) {
    throw new S3Error(code, 'SignedHeaders must be a semicolon-separated list of lowercase header names')
  }
  return names
}

/**
 * Reads an `Authorization` header. SigV2 (`AWS id:signature`) and SigV4a are refused with the
 * reason, so that a client configured for them is told what to change instead of seeing a
 * signature mismatch.
 */
export function parseAuthorizationHeader(header: string): SigV4Auth {
  const space = header.indexOf(' ')
  const algorithm = space < 0 ? header : header.slice(0, space)
  if (algorithm === 'AWS') {
    throw new S3Error(
      'InvalidRequest',
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    )
  }
  if (algorithm !== SIGV4_ALGORITHM) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      'the only authorization algorithm served is AWS4-HMAC-SHA256',
    )
  }
  const fields = new Map<string, string>()
  for (const part of header.slice(space + 1).split(',')) {
    const item = part.trim()
    const equals = item.indexOf('=')
    if (equals > 0) fields.set(item.slice(0, equals), item.slice(equals + 1))
  }
  const credential = fields.get('Credential')
  const signedHeaders = fields.get('SignedHeaders')
  const signature = fields.get('Signature')
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      'the authorization header needs Credential, SignedHeaders and Signature',
    )
  }
  return {
    kind: 'header',
    ...parseCredential(credential, 'AuthorizationHeaderMalformed'),
    signedHeaders: parseSignedHeaders(signedHeaders, 'AuthorizationHeaderMalformed'),
    signature,
  }
}

/** Reads the `X-Amz-*` parameters of a presigned URL (names as S3 spells them). */
export function parsePresignedQuery(query: ReadonlyMap<string, string>): SigV4Auth {
  const code = 'AuthorizationQueryParametersError'
  const algorithm = query.get('X-Amz-Algorithm')
  if (algorithm !== SIGV4_ALGORITHM) {
    throw new S3Error(code, 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
  }
  const credential = query.get('X-Amz-Credential')
  const signedHeaders = query.get('X-Amz-SignedHeaders')
  const signature = query.get('X-Amz-Signature')
  const expires = query.get('X-Amz-Expires')
  if (
    credential === undefined ||
    signedHeaders === undefined ||
    signature === undefined ||
    expires === undefined
  ) {
    throw new S3Error(
      code,
      'a presigned URL needs X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature',
    )
  }
  // 0 is well-formed and expired at once (AccessDenied, checked with the time), as on S3.
  const seconds = /^\d{1,7}$/.test(expires) ? Number(expires) : Number.NaN
  if (!(seconds >= 0 && seconds <= MAX_PRESIGNED_SECONDS)) {
    throw new S3Error(
      code,
      `X-Amz-Expires must be a whole number of seconds from 0 to ${MAX_PRESIGNED_SECONDS}`,
    )
  }
  return {
    kind: 'query',
    ...parseCredential(credential, code),
    signedHeaders: parseSignedHeaders(signedHeaders, code),
    signature,
    expires: seconds,
  }
}
