import { createHash, createHmac, type Hash, type Hmac, type KeyObject, timingSafeEqual } from 'node:crypto'
import type { Checksum, SourceData } from '@smithy/types'

/** The hex SHA-256 of the empty string, part of every chunk's string to sign. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

function bytesOf(data: SourceData): Uint8Array | string {
  if (typeof data === 'string') return data
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data)
}

/**
 * SHA-256 (or HMAC-SHA256 when given a key) on node:crypto, in the shape @smithy/signature-v4
 * takes as its `sha256` constructor, so that the SDK's own code derives signing keys and builds
 * canonical requests here as it does in every client.
 */
export class NodeSha256 implements Checksum {
  readonly #secret: SourceData | undefined
  #hash: Hash | Hmac

  constructor(secret?: SourceData) {
    this.#secret = secret
    this.#hash = this.#fresh()
  }

  #fresh(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(this.#secret))
  }

  update(data: SourceData): void {
    this.#hash.update(bytesOf(data))
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.#hash.digest())
  }

  reset(): void {
    this.#hash = this.#fresh()
  }
}

/**
 * HMAC-SHA256 of `text` under `key`, in lowercase hex: one link of a signature. A `KeyObject` key
 * (see `SigningKeys`) saves Node importing the raw bytes as a key again on every call.
 */
export function hmacHex(key: Uint8Array | KeyObject, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex')
}

/** SHA-256 of `text` in lowercase hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

const SIGNATURE = /^[0-9a-f]{64}$/

/** True when `text` has the form of a SigV4 signature: 64 lowercase hex digits. */
export function isSignature(text: string): boolean {
  return SIGNATURE.test(text)
}

/**
 * Compares a computed signature with the one the client sent in constant time, so that the time an
 * answer takes tells nothing about how many leading characters of a forged signature were right.
 */
export function signaturesMatch(computed: string, provided: string): boolean {
  if (!isSignature(provided)) return false
  return timingSafeEqual(Buffer.from(computed, 'latin1'), Buffer.from(provided, 'latin1'))
}
