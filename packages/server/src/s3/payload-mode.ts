import { S3Error } from './s3-error.ts'

/**
 * How a request's body is protected, from its `x-amz-content-sha256` (per the S3 API reference,
 * "Authenticating Requests: Using the Authorization Header"):
 * - `unsigned`: `UNSIGNED-PAYLOAD`, the body as sent;
 * - `sha256`: the hex SHA-256 of the body, checked as it streams;
 * - `chunked`: an `aws-chunked` body, each chunk signed (`signedChunks`) or not, with trailing
 *   headers (`trailer`) or not.
 */
export type PayloadMode =
  | { readonly kind: 'unsigned' }
  | { readonly kind: 'sha256'; readonly sha256: string }
  | { readonly kind: 'chunked'; readonly signedChunks: boolean; readonly trailer: boolean }

const CHUNKED: ReadonlyMap<string, PayloadMode> = new Map([
  ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', { kind: 'chunked', signedChunks: true, trailer: false }],
  ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', { kind: 'chunked', signedChunks: true, trailer: true }],
  ['STREAMING-UNSIGNED-PAYLOAD-TRAILER', { kind: 'chunked', signedChunks: false, trailer: true }],
])

const SHA256_HEX = /^[0-9a-f]{64}$/

/** Reads an `x-amz-content-sha256` value; `presigned` URLs carry no streaming body. */
export function parsePayloadMode(value: string | undefined, presigned: boolean): PayloadMode {
  if (value === undefined) {
    if (presigned) return { kind: 'unsigned' }
    throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256')
  }
  if (value === 'UNSIGNED-PAYLOAD') return { kind: 'unsigned' }
  if (SHA256_HEX.test(value)) return { kind: 'sha256', sha256: value }
  const chunked = CHUNKED.get(value)
  if (chunked !== undefined && !presigned) return chunked
  if (value.startsWith('STREAMING-AWS4-ECDSA-P256-SHA256')) {
    throw new S3Error('NotImplemented', 'SigV4a (AWS4-ECDSA-P256-SHA256) is not supported; sign with SigV4')
  }
  throw new S3Error(
    'InvalidArgument',
    presigned
      ? 'a presigned URL takes UNSIGNED-PAYLOAD or a hex SHA-256 as x-amz-content-sha256'
      : 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING- mode or the hex SHA-256 of the body',
  )
}
