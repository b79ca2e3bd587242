/**
 * The S3 error codes the endpoint answers with, each with the HTTP status Amazon S3 gives it
 * (per the S3 API reference's "Error responses" table). Coffer-only failures map onto the nearest
 * of these; `QuotaExceeded` is Ceph RGW's code for a full quota, which S3 clients already know.
 */
export const S3_ERROR_STATUS = {
  AccessControlListNotSupported: 400,
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  BucketAlreadyExists: 409,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  IncorrectNumberOfFilesInPostRequest: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketAclWithObjectOwnership: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  InvalidPolicyDocument: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  InvalidTag: 400,
  InvalidToken: 400,
  KeyTooLongError: 400,
  MalformedPOSTRequest: 400,
  MalformedTrailerError: 400,
  MalformedXML: 400,
  MaxPostPreDataLengthExceededError: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NoSuchVersion: 404,
  NotImplemented: 501,
  OperationAborted: 409,
  PreconditionFailed: 412,
  QuotaExceeded: 403,
  RequestHeaderSectionTooLarge: 400,
  RequestTimeTooSkewed: 403,
  RequestTimeout: 400,
  ServiceUnavailable: 503,
  SignatureDoesNotMatch: 403,
  SlowDown: 503,
  XAmzContentSHA256Mismatch: 400,
} as const

/** One of the S3 error codes in {@link S3_ERROR_STATUS}. */
export type S3ErrorCode = keyof typeof S3_ERROR_STATUS

/** Extra elements of an error document, such as `ServerTime` for `RequestTimeTooSkewed`. */
export type S3ErrorDetails = Readonly<Record<string, string | number>>

/** Options of {@link S3Error}. */
export interface S3ErrorOptions {
  /** Extra elements of the error document; never a secret, a signature or a host path. */
  details?: S3ErrorDetails
  /** The failure behind this one, for logs; never shown to the client. */
  cause?: unknown
}

/**
 * A failure answered as an S3 XML error document. Its message is shown to the client, so it is
 * written here, never copied from a lower layer, and never names a secret or a signature.
 */
export class S3Error extends Error {
  override readonly name = 'S3Error'
  /** The S3 error code, the document's `<Code>`. */
  readonly code: S3ErrorCode
  /** The HTTP status of the answer. */
  readonly status: number
  /** Extra elements of the error document. */
  readonly details: S3ErrorDetails

  constructor(code: S3ErrorCode, message: string, options: S3ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = S3_ERROR_STATUS[code]
    this.details = options.details ?? {}
  }
}

/** True when `error` is an {@link S3Error}, optionally with one of the given codes. */
export function isS3Error(error: unknown, ...codes: S3ErrorCode[]): error is S3Error {
  return error instanceof S3Error && (codes.length === 0 || codes.includes(error.code))
}
