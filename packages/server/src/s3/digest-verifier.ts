import { Transform, type TransformCallback } from 'node:stream'
import { createDigestHasher, type DigestAlgorithm, type DigestHasher } from './checksum-hasher.ts'
import type { S3Error } from './s3-error.ts'

/** One digest a body must match when it ends. */
export interface DigestCheck {
  readonly algorithm: DigestAlgorithm
  /**
   * The value the client declared, read when the body ends (a trailer arrives only then), already
   * checked for form; undefined fails the body.
   */
  readonly expected: () => string | undefined
  readonly encoding: 'base64' | 'hex'
  /** The error a mismatch fails the body with. */
  readonly mismatch: () => S3Error
}

/**
 * Passes a body through unchanged while computing its digests, and fails it at its end, before
 * the consumer sees the end, when one does not match what the client declared. Each digest of
 * `compute` (checked or not) is kept in {@link digests}, base64, for storing and returning.
 */
export class DigestVerifier extends Transform {
  /** The computed digests, base64, complete once the stream ends. */
  readonly digests = new Map<DigestAlgorithm, string>()
  readonly #checks: readonly DigestCheck[]
  readonly #hashers = new Map<DigestAlgorithm, DigestHasher>()

  constructor(checks: readonly DigestCheck[], compute: readonly DigestAlgorithm[] = []) {
    super()
    this.#checks = checks
    for (const algorithm of [...checks.map((check) => check.algorithm), ...compute]) {
      if (!this.#hashers.has(algorithm)) this.#hashers.set(algorithm, createDigestHasher(algorithm))
    }
  }

  /** True when the verifier has nothing to compute, so the body can skip it. */
  get idle(): boolean {
    return this.#hashers.size === 0
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (const hasher of this.#hashers.values()) hasher.update(chunk)
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    this.#verify().then(() => callback(), callback)
  }

  async #verify(): Promise<void> {
    const computed = new Map<DigestAlgorithm, Buffer>()
    for (const [algorithm, hasher] of this.#hashers) {
      const digest = await hasher.digest()
      computed.set(algorithm, digest)
      this.digests.set(algorithm, digest.toString('base64'))
    }
    for (const check of this.#checks) {
      const expected = check.expected()
      const actual = computed.get(check.algorithm)?.toString(check.encoding)
      if (
        expected === undefined ||
        actual !== (check.encoding === 'hex' ? expected.toLowerCase() : expected)
      ) {
        throw check.mismatch()
      }
    }
  }
}
