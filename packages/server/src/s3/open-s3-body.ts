import type { IncomingHttpHeaders } from 'node:http'
import { pipeline, type Readable } from 'node:stream'
import { AwsChunkedDecoder } from './aws-chunked-decoder.ts'
import type { DigestAlgorithm } from './checksum-hasher.ts'
import {
  type DeclaredChecksum,
  declaredChecksum,
  declaredTrailers,
  isDigestValue,
} from './declared-checksums.ts'
import { type DigestCheck, DigestVerifier } from './digest-verifier.ts'
import { S3Error } from './s3-error.ts'
import type { VerifiedRequest } from './sigv4-verifier.ts'

/** A request body as the S3 endpoint hands it to the bucket layer. */
export interface S3Body {
  /** The object's bytes, decoded and checked as they stream; fails before its end on any mismatch. */
  readonly stream: Readable
  /** The object's length, when the request declares it. */
  readonly length: number | undefined
  /** The S3 checksum the client declared; its value is checked by the end of `stream`. */
  readonly checksum: DeclaredChecksum | undefined
  /** The computed digests (base64), complete once `stream` has ended. */
  readonly digests: ReadonlyMap<DigestAlgorithm, string>
}

/** Options of {@link openS3Body}. */
export interface OpenS3BodyOptions {
  /** Digests to compute even when the client declared none (e.g. to store a default checksum). */
  compute?: readonly DigestAlgorithm[]
  /**
   * The request's `x-amz-checksum-*` headers are not of its body but of the object it makes
   * (CompleteMultipartUpload's full-object checksum): they are left to the operation.
   */
  checksumOfObject?: boolean
  /** The longest aws-chunked header or trailer line; default 4096 bytes. */
  maxLineBytes?: number
}

const LENGTH = /^\d{1,16}$/

function length(headers: IncomingHttpHeaders, name: string): number | undefined {
  const value = headers[name]
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !LENGTH.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new S3Error('InvalidArgument', `${name} must be a whole number of bytes`)
  }
  return Number(value)
}

function digestChecks(
  headers: IncomingHttpHeaders,
  request: VerifiedRequest,
  checksum: DeclaredChecksum | undefined,
  decoder?: AwsChunkedDecoder,
): DigestCheck[] {
  const checks: DigestCheck[] = []
  if (request.payload.kind === 'sha256') {
    const sha256 = request.payload.sha256
    checks.push({
      algorithm: 'sha256',
      encoding: 'hex',
      expected: () => sha256,
      mismatch: () =>
        new S3Error(
          'XAmzContentSHA256Mismatch',
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
        ),
    })
  }
  const md5 = headers['content-md5']
  if (md5 !== undefined) {
    if (typeof md5 !== 'string' || !isDigestValue('md5', md5))
      throw new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.')
    checks.push({
      algorithm: 'md5',
      encoding: 'base64',
      expected: () => md5,
      mismatch: () =>
        new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.'),
    })
  }
  if (checksum !== undefined) {
    const { algorithm, source } = checksum
    const expected =
      'header' in source
        ? () => source.header
        : () => {
            const value = decoder?.trailers.get(source.trailer)
            if (value !== undefined && !isDigestValue(algorithm, value)) {
              throw new S3Error('InvalidRequest', `Value for ${source.trailer} trailing header is invalid.`)
            }
            return value
          }
    const name = algorithm.toUpperCase()
    checks.push({
      algorithm,
      encoding: 'base64',
      expected,
      mismatch: () =>
        new S3Error('BadDigest', `The ${name} you specified did not match the calculated checksum.`),
    })
  }
  return checks
}

/**
 * Opens the body of a verified request: decodes `aws-chunked` (checking each chunk's signature and
 * the trailer's), and checks `x-amz-content-sha256`, `Content-MD5` and the `x-amz-checksum-*`
 * header or trailer as the bytes stream, so that a body that does not match what was signed or
 * declared fails before its end and an atomic put keeps nothing of it. Header errors are thrown
 * here, before a byte is read.
 */
export function openS3Body(
  source: Readable,
  headers: IncomingHttpHeaders,
  request: VerifiedRequest,
  options: OpenS3BodyOptions = {},
): S3Body {
  const chunked = request.payload.kind === 'chunked' ? request.payload : undefined
  const trailers = chunked?.trailer ? declaredTrailers(headers) : []
  if (!chunked?.trailer && headers['x-amz-trailer'] !== undefined) {
    throw new S3Error('InvalidRequest', 'x-amz-trailer needs a STREAMING-...-TRAILER x-amz-content-sha256')
  }
  const checksum = options.checksumOfObject === true ? undefined : declaredChecksum(headers, trailers)
  let decoder: AwsChunkedDecoder | undefined
  let bodyLength = length(headers, 'content-length')
  if (chunked !== undefined) {
    const decodedLength = length(headers, 'x-amz-decoded-content-length')
    if (decodedLength === undefined)
      throw new S3Error('MissingContentLength', 'an aws-chunked body needs x-amz-decoded-content-length')
    decoder = new AwsChunkedDecoder({
      ...(chunked.signedChunks ? { signing: request.signing } : {}),
      trailer: chunked.trailer,
      decodedLength,
      declaredTrailers: trailers,
      ...(options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes }),
    })
    bodyLength = decodedLength
  }
  const verifier = new DigestVerifier(
    digestChecks(headers, request, checksum, decoder),
    options.compute ?? [],
  )
  const stages = [source, ...(decoder === undefined ? [] : [decoder]), ...(verifier.idle ? [] : [verifier])]
  const stream = stages.at(-1) as Readable
  // Errors reach the consumer through the last stage, which pipeline destroys with them; a consumer
  // that gives up destroys the last stage, and pipeline destroys the request's stream in turn.
  if (stages.length > 1) pipeline(stages, () => {})
  return { stream, length: bodyLength, checksum, digests: verifier.digests }
}
