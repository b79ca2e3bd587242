import type { KeyObject } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { LRUCache } from 'lru-cache'
import { canonicalRequest, credentialScope, stringToSign } from './canonical-request.ts'
import { type PayloadMode, parsePayloadMode } from './payload-mode.ts'
import { canonicalPaths, parseRequestTarget, type RequestTarget } from './request-target.ts'
import { S3Error } from './s3-error.ts'
import { SigningKeys } from './signing-keys.ts'
import { parseAuthorizationHeader, parsePresignedQuery, type SigV4Auth } from './sigv4-auth.ts'
import { hmacHex, signaturesMatch } from './sigv4-crypto.ts'
import { type Claimed, checkTime, claimedTime } from './sigv4-time.ts'

/** The parts of a received request the verifier reads (an `IncomingMessage` has them all). */
export interface ReceivedRequest {
  readonly method: string
  /** The request target as sent: path and query, still percent-encoded. */
  readonly url: string
  /** Lowercase header names, as Node gives them. */
  readonly headers: IncomingHttpHeaders
}

/** Options of {@link createSigV4Verifier}. */
export interface SigV4VerifierOptions {
  /** The region clients must sign for; default `us-east-1`. */
  region?: string
  /** The secret access key of an access key id, or undefined when there is no such key. */
  lookupSecret: (accessKeyId: string) => Promise<string | undefined>
  /** The largest difference allowed between the request's time and the server's; default 15 minutes. */
  maxSkewMs?: number
  /** The server's clock, in milliseconds; default `Date.now`. */
  now?: () => number
}

/** What the chunk signature chain of a streaming body continues from. */
export interface ChunkSigning {
  readonly signingKey: KeyObject | Uint8Array
  /** The request's `x-amz-date`, `YYYYMMDDTHHMMSSZ`. */
  readonly longDate: string
  /** `YYYYMMDD/region/s3/aws4_request`. */
  readonly scope: string
  /** The request's own signature: the first chunk's "previous signature". */
  readonly seedSignature: string
}

/** A request whose signature matched. */
export interface VerifiedRequest {
  readonly accessKeyId: string
  readonly kind: SigV4Auth['kind']
  readonly target: RequestTarget
  readonly payload: PayloadMode
  readonly signing: ChunkSigning
}

/** Checks a request's SigV4 signature; resolves undefined for a request that carries none. */
export type SigV4Verifier = (request: ReceivedRequest) => Promise<VerifiedRequest | undefined>

const SIGV2_REFUSED =
  'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.'
const REGION = /^[a-z0-9-]{1,32}$/

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(',') : value
}

/** The claimed auth of a request: its `Authorization` header or its presigned query. */
function claimedAuth(request: ReceivedRequest, target: RequestTarget): SigV4Auth | undefined {
  const authorization = header(request.headers, 'authorization')
  const presigned = target.query.has('X-Amz-Algorithm') || target.query.has('X-Amz-Signature')
  if (authorization !== undefined && presigned) {
    throw new S3Error(
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified',
    )
  }
  if (authorization !== undefined) return parseAuthorizationHeader(authorization)
  if (presigned) return parsePresignedQuery(target.query)
  if (target.query.has('AWSAccessKeyId') && target.query.has('Signature'))
    throw new S3Error('InvalidRequest', SIGV2_REFUSED)
  return undefined
}

/**
 * Refuses what a valid signature must not come with: another region, a session token, unsigned
 * `x-amz-*` headers (in a header-signed request and a presigned one alike).
 */
function checkClaims(auth: SigV4Auth, request: ReceivedRequest, target: RequestTarget, region: string): void {
  const code = auth.kind === 'header' ? 'AuthorizationHeaderMalformed' : 'AuthorizationQueryParametersError'
  if (auth.region !== region) {
    const named = REGION.test(auth.region) ? `the region '${auth.region}' is wrong` : 'the region is wrong'
    throw new S3Error(code, `${named}; expecting '${region}'`, { details: { Region: region } })
  }
  if (
    header(request.headers, 'x-amz-security-token') !== undefined ||
    target.query.has('X-Amz-Security-Token')
  ) {
    throw new S3Error(
      'InvalidToken',
      'this endpoint issues no session tokens: sign with an access key and its secret alone',
    )
  }
  if (!auth.signedHeaders.includes('host'))
    throw new S3Error('AccessDenied', 'the Host header must be signed')
  // A presigned URL too: an unsigned `x-amz-copy-source` would turn its PUT into a copy of anything
  // the signer may read, `x-amz-meta-*` or `x-amz-tagging` would add what the signer never set. Only
  // its `x-amz-content-sha256` may go unsigned, as on S3: the URL's own parameter decides the payload.
  const unsigned = Object.keys(request.headers).filter(
    (name) =>
      name.startsWith('x-amz-') &&
      !auth.signedHeaders.includes(name) &&
      !(auth.kind === 'query' && name === 'x-amz-content-sha256'),
  )
  if (unsigned.length > 0) {
    throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed', {
      details: { HeadersNotSigned: unsigned.join(', ') },
    })
  }
}

/** Presigned URLs whose signatures held, kept: those used lately, up to this many characters in all. */
const KEPT_URL_CHARS = 4 * 1024 * 1024

/** A presigned request that was verified: what it was verified with, and what it gave. */
interface VerifiedUrl {
  readonly auth: SigV4Auth
  /** The time it claims. */
  readonly claimed: Claimed
  /** The signed headers' values it was verified with (the host at least). */
  readonly signedValues: string
  /** The secret it was verified with. */
  readonly secret: string
  readonly verified: VerifiedRequest
}

function signedValues(headers: IncomingHttpHeaders, names: readonly string[]): string {
  return names.map((name) => header(headers, name) ?? '').join('\n')
}

/**
 * Creates the SigV4 verifier of the S3 endpoint: the `Authorization` header and presigned URLs
 * (per the S3 API reference, "Authenticating Requests (AWS Signature Version 4)"). Signing keys
 * come from @smithy/signature-v4, canonical requests from `canonicalRequest` (checked against the
 * SDK's); signatures are compared in constant time; no error names the secret, the signature or
 * the string to sign.
 *
 * A presigned URL is fetched again and again (a page's images, a download link): once its
 * signature held, the same method, URL and signed header values are not canonicalised and hashed
 * again while the URL lives. Each use still checks its time (expiry), the header-borne claims, and
 * that the access key still has the very secret it was verified with (a revoked or changed key
 * stops the URL at once).
 */
export function createSigV4Verifier(options: SigV4VerifierOptions): SigV4Verifier {
  const region = options.region ?? 'us-east-1'
  const signingKeys = new SigningKeys(region)
  const clock = { now: options.now ?? Date.now, maxSkewMs: options.maxSkewMs ?? 15 * 60 * 1000 }
  // By size: a signed URL may be up to a request line long (16 KiB), and a key can sign many.
  const urls = new LRUCache<string, VerifiedUrl>({
    maxSize: KEPT_URL_CHARS,
    sizeCalculation: (kept, id) => 2 * id.length + kept.signedValues.length + 512,
  })

  /** The verification a presigned request had already, if it still holds. */
  const reuse = async (request: ReceivedRequest, id: string): Promise<VerifiedRequest | undefined> => {
    const kept = urls.get(id)
    if (kept === undefined || request.headers.authorization !== undefined) return undefined
    if (signedValues(request.headers, kept.auth.signedHeaders) !== kept.signedValues) return undefined
    checkClaims(kept.auth, request, kept.verified.target, region)
    checkTime(kept.auth, kept.claimed, clock)
    return (await options.lookupSecret(kept.auth.accessKeyId)) === kept.secret ? kept.verified : undefined
  }

  return async (request) => {
    const id = `${request.method} ${request.url}`
    const presigned = request.url.includes('X-Amz-Signature=')
    const reused = presigned ? await reuse(request, id) : undefined
    if (reused !== undefined) return reused
    const target = parseRequestTarget(request.url)
    const auth = claimedAuth(request, target)
    if (auth === undefined) return undefined
    checkClaims(auth, request, target, region)
    const claimed = claimedTime(auth, request.headers, target.query)
    checkTime(auth, claimed, clock)
    const { longDate } = claimed
    const secretAccessKey = await options.lookupSecret(auth.accessKeyId)
    if (secretAccessKey === undefined) {
      throw new S3Error(
        'InvalidAccessKeyId',
        'The AWS access key Id you provided does not exist in our records.',
      )
    }
    const declared =
      auth.kind === 'header'
        ? header(request.headers, 'x-amz-content-sha256')
        : (target.query.get('X-Amz-Content-Sha256') ?? target.query.get('x-amz-content-sha256'))
    const payload = parsePayloadMode(declared, auth.kind === 'query')
    const signingKey = await signingKeys.get(auth.accessKeyId, secretAccessKey, auth.shortDate)
    const scope = credentialScope(auth.shortDate, region)
    for (const path of canonicalPaths(target.rawPath)) {
      const canonical = canonicalRequest({
        method: request.method,
        path,
        target,
        headers: request.headers,
        signedHeaders: auth.signedHeaders,
        payloadHash: declared ?? 'UNSIGNED-PAYLOAD',
      })
      const signature = hmacHex(signingKey, stringToSign(longDate, scope, canonical))
      if (signaturesMatch(signature, auth.signature)) {
        const signing = { signingKey, longDate, scope, seedSignature: signature }
        const verified = { accessKeyId: auth.accessKeyId, kind: auth.kind, target, payload, signing }
        if (auth.kind === 'query' && presigned) {
          const values = signedValues(request.headers, auth.signedHeaders)
          urls.set(id, { auth, claimed, signedValues: values, secret: secretAccessKey, verified })
        }
        return verified
      }
    }
    throw new S3Error(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    )
  }
}
