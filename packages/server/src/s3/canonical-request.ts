import type { IncomingHttpHeaders } from 'node:http'
import { getCanonicalHeaders, SignatureV4Base } from '@smithy/signature-v4'
import type { HeaderBag, HttpRequest, QueryParameterBag } from '@smithy/types'
import type { RequestTarget } from './request-target.ts'
import { SIGV4_ALGORITHM } from './sigv4-auth.ts'
import { NodeSha256 } from './sigv4-crypto.ts'

/** The parts of a received request that SigV4 signs. */
export interface CanonicalInput {
  readonly method: string
  /** The canonical URI (see `canonicalPaths`). */
  readonly path: string
  readonly target: RequestTarget
  readonly headers: IncomingHttpHeaders
  readonly signedHeaders: readonly string[]
  readonly payloadHash: string
}

/**
 * Builds canonical requests and strings to sign with @smithy/signature-v4's own code, the code
 * every AWS SDK for JavaScript signs with, so that the server canonicalises exactly as the client
 * did. It takes the canonical URI as given (`uriEscapePath: false`, as for S3).
 */
export class CanonicalRequestBuilder extends SignatureV4Base {
  constructor(region: string) {
    super({
      // The builder never signs with these; the verifier derives keys from each request's secret.
      credentials: { accessKeyId: '', secretAccessKey: '' },
      region,
      service: 's3',
      sha256: NodeSha256,
      uriEscapePath: false,
    })
  }

  /** The canonical request of `input`, ending in its payload hash. */
  canonicalRequest(input: CanonicalInput): string {
    const bag: HeaderBag = {}
    for (const name of input.signedHeaders) {
      const value = input.headers[name]
      // Node joins repeated headers with ", "; SigV4 joins their values with ",".
      if (value !== undefined) bag[name] = Array.isArray(value) ? value.join(',') : value
    }
    const request: HttpRequest = {
      method: input.method,
      protocol: 'http:',
      hostname: '',
      path: input.path,
      query: canonicalQuery(input.target),
      headers: bag,
    }
    const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(input.signedHeaders))
    return this.createCanonicalRequest(request, canonicalHeaders, input.payloadHash)
  }

  /** The string to sign of a canonical request. */
  stringToSign(longDate: string, scope: string, canonicalRequest: string): Promise<string> {
    return this.createStringToSign(longDate, scope, canonicalRequest, SIGV4_ALGORITHM)
  }
}

/** The query as @smithy's canonicaliser takes it: repeated names as arrays, no signature. */
function canonicalQuery(target: RequestTarget): QueryParameterBag {
  const query: Record<string, string | string[]> = Object.create(null)
  for (const [name, value] of target.pairs) {
    if (name === 'X-Amz-Signature') continue
    const seen = query[name]
    if (seen === undefined) query[name] = value
    else query[name] = Array.isArray(seen) ? [...seen, value] : [seen, value]
  }
  return query
}
