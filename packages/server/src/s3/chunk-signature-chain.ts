import { EMPTY_SHA256, hmacHex, sha256Hex } from './sigv4-crypto.ts'
import type { ChunkSigning } from './sigv4-verifier.ts'

/**
 * The signature chain of an `aws-chunked` body (per the S3 API reference, "Signature Calculations
 * for the Authorization Header: Transferring Payload in Multiple Chunks" and "...Including Trailing
 * Headers"): each chunk's signature signs its data's hash and the previous signature, starting from
 * the request's own (the seed), so chunks can be neither changed, dropped nor reordered.
 */
export class ChunkSignatureChain {
  readonly #signing: ChunkSigning
  #previous: string

  constructor(signing: ChunkSigning) {
    this.#signing = signing
    this.#previous = signing.seedSignature
  }

  /** The signature of the next chunk, whose data has the hex SHA-256 `dataSha256`; advances the chain. */
  next(dataSha256: string): string {
    const { longDate, scope } = this.#signing
    return this.#advance([
      'AWS4-HMAC-SHA256-PAYLOAD',
      longDate,
      scope,
      this.#previous,
      EMPTY_SHA256,
      dataSha256,
    ])
  }

  /** The signature of the trailing headers (lowercase names), which ends the chain. */
  trailer(trailers: ReadonlyMap<string, string>): string {
    const { longDate, scope } = this.#signing
    const canonical = [...trailers]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => `${name}:${value}\n`)
      .join('')
    return this.#advance(['AWS4-HMAC-SHA256-TRAILER', longDate, scope, this.#previous, sha256Hex(canonical)])
  }

  #advance(lines: string[]): string {
    this.#previous = hmacHex(this.#signing.signingKey, lines.join('\n'))
    return this.#previous
  }
}
