import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createDigestHasher } from '../../src/s3/checksum-hasher.ts'
import { type CombinableCrc, combineCrcs } from '../../src/s3/crc-combine.ts'

async function crcOf(algorithm: CombinableCrc, bytes: Uint8Array): Promise<Buffer> {
  const hasher = createDigestHasher(algorithm)
  hasher.update(bytes)
  return hasher.digest()
}

describe('combineCrcs', () => {
  it.each(['crc32', 'crc32c', 'crc64nvme'] as const)(
    'gives the %s of joined runs from the runs’ own, as the hashers compute it over all bytes',
    async (algorithm) => {
      const data = randomBytes(70_001)
      const cuts = [0, 1, 4096, 4096, 33_333, 70_000, 70_001]
      const runs = cuts.slice(1).map((end, i) => data.subarray(cuts[i], end))
      const parts = await Promise.all(
        runs.map(async (run) => ({ crc: await crcOf(algorithm, run), size: run.length })),
      )
      expect(combineCrcs(algorithm, parts).toString('hex')).toBe(
        (await crcOf(algorithm, data)).toString('hex'),
      )
      const other = Buffer.from(data)
      other[50_000] = (other[50_000] ?? 0) ^ 1
      expect(combineCrcs(algorithm, parts).equals(await crcOf(algorithm, other))).toBe(false)
    },
  )
})
