import type { StoredChecksum, StoredObjectPart } from '../domain/buckets/object-integrity.ts'
import { single } from '../http/receive-object.ts'
import { type ChecksumAlgorithm, createDigestHasher, isChecksumAlgorithm } from './checksum-hasher.ts'
import { combineCrcs, isCombinableCrc } from './crc-combine.ts'
import type { S3Body } from './open-s3-body.ts'
import type { S3Call } from './s3-call.ts'
import { S3Error } from './s3-error.ts'

/** The checksum a multipart upload is started with: its algorithm and type. */
export interface UploadChecksum {
  algorithm: ChecksumAlgorithm
  type: StoredChecksum['type']
}

/** Per S3's "Checking object integrity": CRC64NVME only of the full object, the SHAs only composite. */
const TYPES: Record<ChecksumAlgorithm, readonly StoredChecksum['type'][]> = {
  crc32: ['COMPOSITE', 'FULL_OBJECT'],
  crc32c: ['COMPOSITE', 'FULL_OBJECT'],
  crc64nvme: ['FULL_OBJECT'],
  sha1: ['COMPOSITE'],
  sha256: ['COMPOSITE'],
}

/** The checksum a PutObject declared (and had checked as its body streamed), as the index keeps it. */
export function storedChecksumOf(body: S3Body): StoredChecksum | undefined {
  if (body.checksum === undefined) return undefined
  const value = body.digests.get(body.checksum.algorithm)
  return value === undefined ? undefined : { algorithm: body.checksum.algorithm, type: 'FULL_OBJECT', value }
}

/**
 * CreateMultipartUpload's `x-amz-checksum-algorithm` and `x-amz-checksum-type` (the type defaults
 * to the one the algorithm allows first: composite, but full-object for CRC64NVME).
 */
export function uploadChecksum(call: S3Call): UploadChecksum | undefined {
  const name = single(call.request, 'x-amz-checksum-algorithm')?.trim().toLowerCase()
  const typeHeader = single(call.request, 'x-amz-checksum-type')?.trim().toUpperCase()
  if (name === undefined) {
    if (typeHeader !== undefined)
      throw new S3Error('InvalidRequest', 'x-amz-checksum-type needs x-amz-checksum-algorithm')
    return undefined
  }
  if (!isChecksumAlgorithm(name))
    throw new S3Error('InvalidRequest', 'Checksum algorithm provided is unsupported.')
  const allowed = TYPES[name]
  const type = (typeHeader ?? allowed[0]) as StoredChecksum['type']
  if (!allowed.includes(type))
    throw new S3Error(
      'InvalidRequest',
      `The ${name.toUpperCase()} checksum algorithm does not support the ${typeHeader} checksum type.`,
    )
  return { algorithm: name, type }
}

/** The checksum an upload in progress was started with, as the index gave it back. */
export function startedChecksum(
  stored: { algorithm: string; type: StoredChecksum['type'] } | undefined,
): UploadChecksum | undefined {
  if (stored === undefined || !isChecksumAlgorithm(stored.algorithm)) return undefined
  return { algorithm: stored.algorithm, type: stored.type }
}

/** The response headers that name an upload's checksum (CreateMultipartUpload, GetObject, …). */
export function checksumHeaders(checksum: { algorithm: string; type: string; value?: string }) {
  const headers: Record<string, string> = {
    'x-amz-checksum-type': checksum.type,
  }
  if (checksum.value === undefined) headers['x-amz-checksum-algorithm'] = checksum.algorithm.toUpperCase()
  else headers[`x-amz-checksum-${checksum.algorithm}`] = checksum.value
  return headers
}

/**
 * The checksum of an object joined from `parts`, when every part declared one of the upload's
 * algorithm: composite (the checksum of the parts' checksums, `-<parts>` appended) or full-object
 * (the parts' CRCs combined). Undefined when a part came without one: nothing is claimed then.
 */
export async function joinedChecksum(
  checksum: UploadChecksum,
  parts: readonly StoredObjectPart[],
): Promise<StoredChecksum | undefined> {
  const values = parts.map((part) => part.checksum)
  if (values.some((value) => value === undefined)) return undefined
  const raw = (values as string[]).map((value) => Buffer.from(value, 'base64'))
  const { algorithm, type } = checksum
  if (type === 'FULL_OBJECT') {
    if (!isCombinableCrc(algorithm)) return undefined
    const crcs = raw.map((crc, i) => ({ crc, size: parts[i]?.size ?? 0 }))
    return { algorithm, type, value: combineCrcs(algorithm, crcs).toString('base64') }
  }
  const hasher = createDigestHasher(algorithm)
  for (const value of raw) hasher.update(value)
  return { algorithm, type, value: `${(await hasher.digest()).toString('base64')}-${parts.length}` }
}

/**
 * Checks CompleteMultipartUpload's `x-amz-checksum-<algorithm>` header, when it sends one, against
 * the full-object checksum the parts make (`BadDigest` when they differ, as on S3).
 */
export function checkCompletedChecksum(call: S3Call, checksum: StoredChecksum | undefined): void {
  if (checksum === undefined || checksum.type !== 'FULL_OBJECT') return
  const sent = single(call.request, `x-amz-checksum-${checksum.algorithm}`)
  if (sent !== undefined && sent.trim() !== checksum.value)
    throw new S3Error(
      'BadDigest',
      `The ${checksum.algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
    )
}

/** Whether a GetObject or HeadObject asks for the stored checksum (`x-amz-checksum-mode: ENABLED`). */
export function wantsChecksum(call: S3Call): boolean {
  return single(call.request, 'x-amz-checksum-mode')?.trim().toUpperCase() === 'ENABLED'
}
