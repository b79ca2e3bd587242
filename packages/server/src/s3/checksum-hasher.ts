import { createHash } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { Crc32c } from '@aws-crypto/crc32c'
import { Crc64Nvme } from '@aws-sdk/crc64-nvme'

/** The checksum algorithms of S3's `x-amz-checksum-*` headers and trailers. */
export const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const

/** One of {@link CHECKSUM_ALGORITHMS}. */
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number]

/** A digest a body can be checked against: an S3 checksum, or `md5` for `Content-MD5`. */
export type DigestAlgorithm = ChecksumAlgorithm | 'md5'

/** How many bytes each digest has, which bounds what a declared value may decode to. */
export const DIGEST_BYTES: Readonly<Record<DigestAlgorithm, number>> = {
  crc32: 4,
  crc32c: 4,
  crc64nvme: 8,
  sha1: 20,
  sha256: 32,
  md5: 16,
}

/** An incremental digest, fed as the body streams. */
export interface DigestHasher {
  update(data: Uint8Array): void
  digest(): Promise<Buffer>
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(value >>> 0)
  return bytes
}

/** True when `name` is one of {@link CHECKSUM_ALGORITHMS}. */
export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name)
}

/**
 * A streaming hasher for `algorithm`: CRC32 from node:zlib, CRC32C from @aws-crypto, CRC64NVME
 * from the AWS SDK's own package (the same code that computes what clients send), the SHAs and MD5
 * from node:crypto.
 */
export function createDigestHasher(algorithm: DigestAlgorithm): DigestHasher {
  switch (algorithm) {
    case 'crc32': {
      let value = 0
      return {
        update: (data) => {
          value = crc32(data, value)
        },
        digest: async () => uint32(value),
      }
    }
    case 'crc32c': {
      const crc = new Crc32c()
      return { update: (data) => void crc.update(data), digest: async () => uint32(crc.digest()) }
    }
    case 'crc64nvme': {
      const crc = new Crc64Nvme()
      return { update: (data) => crc.update(data), digest: async () => Buffer.from(await crc.digest()) }
    }
    default: {
      const hash = createHash(algorithm)
      return { update: (data) => void hash.update(data), digest: async () => hash.digest() }
    }
  }
}
