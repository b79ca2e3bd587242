/**
 * The CRCs S3 can give a multipart object as a full-object checksum: each is reflected, starts from
 * all ones and ends xored with all ones, so the CRC of two byte runs joined follows from the CRC of
 * each and the second's length (zlib's `crc32_combine`, generalised to any width).
 */
export type CombinableCrc = 'crc32' | 'crc32c' | 'crc64nvme'

interface CrcModel {
  width: bigint
  /** The polynomial, reflected (its x^0 term in the top bit). */
  poly: bigint
}

const MODELS: Record<CombinableCrc, CrcModel> = {
  crc32: { width: 32n, poly: 0xedb88320n },
  crc32c: { width: 32n, poly: 0x82f63b78n },
  crc64nvme: { width: 64n, poly: 0x9a6c9329ac4bc9b5n },
}

/** a(x)·b(x) modulo the polynomial, both reflected. `a` must not be zero. */
function multiply(model: CrcModel, a: bigint, b: bigint): bigint {
  let m = 1n << (model.width - 1n)
  let p = 0n
  let factor = b
  for (;;) {
    if ((a & m) !== 0n) {
      p ^= factor
      if ((a & (m - 1n)) === 0n) return p
    }
    m >>= 1n
    factor = (factor & 1n) !== 0n ? (factor >> 1n) ^ model.poly : factor >> 1n
  }
}

/** x^(2^k) modulo the polynomial, for k = 0…width-1, made once per model. */
const POWERS = new Map<CombinableCrc, bigint[]>()

function powers(name: CombinableCrc): bigint[] {
  const cached = POWERS.get(name)
  if (cached !== undefined) return cached
  const model = MODELS[name]
  const table: bigint[] = []
  let p = 1n << (model.width - 2n) // x^1
  for (let k = 0n; k < model.width; k += 1n) {
    table.push(p)
    p = multiply(model, p, p)
  }
  POWERS.set(name, table)
  return table
}

/** x^(8·bytes) modulo the polynomial: what shifting a CRC past `bytes` zero bytes multiplies it by. */
function shiftBy(name: CombinableCrc, bytes: number): bigint {
  const model = MODELS[name]
  const table = powers(name)
  let p = 1n << (model.width - 1n) // x^0
  let n = BigInt(bytes)
  let k = 3 // 8 = 2^3 bits a byte
  while (n > 0n) {
    if ((n & 1n) !== 0n) p = multiply(model, table[k % table.length] as bigint, p)
    n >>= 1n
    k += 1
  }
  return p
}

const toBig = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`)

function fromBig(value: bigint, width: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(Number(width / 4n), '0'), 'hex')
}

/**
 * The CRC of runs of bytes joined in order, from each run's CRC (big-endian bytes, as S3 encodes
 * them) and length: the full-object checksum of a multipart object from its parts' checksums.
 */
export function combineCrcs(
  name: CombinableCrc,
  parts: readonly { crc: Uint8Array; size: number }[],
): Buffer {
  const model = MODELS[name]
  let crc = 0n // the CRC of no bytes
  for (const part of parts) {
    crc = multiply(model, shiftBy(name, part.size), crc) ^ toBig(part.crc)
  }
  return fromBig(crc, model.width)
}

/** True when full-object checksums of `algorithm` can be combined from parts'. */
export function isCombinableCrc(algorithm: string): algorithm is CombinableCrc {
  return algorithm in MODELS
}
