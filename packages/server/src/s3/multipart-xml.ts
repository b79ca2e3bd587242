import { MAX_PART_NUMBER, type PartRef } from '@coffer/core'
import type { StoredChecksum } from '../domain/buckets/object-integrity.ts'
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from './checksum-hasher.ts'
import { OWNER } from './s3-call.ts'
import { element, malformed } from './s3-requests.ts'
import { encoder } from './s3-results.ts'
import { buildS3Xml, parseS3Xml } from './s3-xml.ts'

/** A part a completion names, with the checksum it says the part was uploaded with, if any. */
export interface CompletedPartRef extends PartRef {
  checksum?: { algorithm: ChecksumAlgorithm; value: string }
}

function partChecksum(part: unknown): CompletedPartRef['checksum'] {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = element(part, `Checksum${algorithm.toUpperCase()}`)
    if (typeof value === 'string') return { algorithm, value: value.trim() }
  }
  return undefined
}

/**
 * Reads a `<CompleteMultipartUpload>` document: 1 to 10 000 `<Part>`s, each with a `<PartNumber>`
 * and an `<ETag>`, and maybe the checksum the part was uploaded with (`<ChecksumCRC32>`, …).
 */
export function parseCompleteMultipartUpload(text: string): CompletedPartRef[] {
  const root = element(parseS3Xml(text), 'CompleteMultipartUpload')
  const found = element(root, 'Part')
  const parts = found === undefined ? [] : Array.isArray(found) ? found : [found]
  if (parts.length === 0 || parts.length > MAX_PART_NUMBER) throw malformed()
  return parts.map((part) => {
    const number = element(part, 'PartNumber')
    const etag = element(part, 'ETag')
    if (typeof number !== 'string' || !/^\d{1,5}$/.test(number.trim()) || typeof etag !== 'string') {
      throw malformed()
    }
    const checksum = partChecksum(part)
    return { partNumber: Number(number.trim()), etag: etag.trim(), ...(checksum ? { checksum } : {}) }
  })
}

const quoted = (etag: string) => `"${etag.replaceAll('"', '')}"`
const iso = (date: Date | string) => new Date(date).toISOString()
const owner = (id: string) => ({ ID: id, DisplayName: id })

/** `InitiateMultipartUploadResult` (CreateMultipartUpload). */
export function initiateXml(bucket: string, key: string, uploadId: string): string {
  return buildS3Xml('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: uploadId })
}

/** `CompleteMultipartUploadResult`, with the object's checksum when it has one. */
export function completeXml(
  location: string,
  bucket: string,
  key: string,
  etag: string,
  checksum?: StoredChecksum,
): string {
  return buildS3Xml('CompleteMultipartUploadResult', {
    Location: location,
    Bucket: bucket,
    Key: key,
    ETag: quoted(etag),
    ...(checksum === undefined ? {} : checksumElements(checksum)),
  })
}

/** A checksum as S3's documents hold it: `<ChecksumCRC32>…</ChecksumCRC32><ChecksumType>…`. */
export function checksumElements(checksum: StoredChecksum): Record<string, string> {
  return {
    [`Checksum${checksum.algorithm.toUpperCase()}`]: checksum.value,
    ChecksumType: checksum.type,
  }
}

/** `CopyPartResult` (UploadPartCopy). */
export function copyPartXml(etag: string, lastModified: Date): string {
  return buildS3Xml('CopyPartResult', { ETag: quoted(etag), LastModified: iso(lastModified) })
}

/** A page of ListParts. */
export interface PartsPage {
  bucket: string
  key: string
  uploadId: string
  /** Who started the upload (`<kind>:<id>` of its credential). */
  initiator: string
  initiated: string
  marker: number
  maxParts: number
  parts: readonly { partNumber: number; etag: string; size: number; checksum?: string }[]
  /** The checksum the upload was started with, which each part's is of. */
  checksum?: { algorithm: string; type: string }
  /** The last part number of the page, when more follow. */
  next: number | undefined
}

/** `ListPartsResult`. Parts carry their upload's start as their date: the store keeps no other. */
export function listPartsXml(page: PartsPage): string {
  return buildS3Xml('ListPartsResult', {
    Bucket: page.bucket,
    Key: page.key,
    UploadId: page.uploadId,
    Initiator: owner(page.initiator),
    Owner: { ID: OWNER.id, DisplayName: OWNER.displayName },
    StorageClass: 'STANDARD',
    ChecksumAlgorithm: page.checksum?.algorithm.toUpperCase(),
    ChecksumType: page.checksum?.type,
    PartNumberMarker: page.marker,
    NextPartNumberMarker: page.next,
    MaxParts: page.maxParts,
    IsTruncated: page.next !== undefined,
    Part: page.parts.map((part) => ({
      PartNumber: part.partNumber,
      LastModified: iso(page.initiated),
      ETag: quoted(part.etag),
      Size: part.size,
      ...(part.checksum === undefined || page.checksum === undefined
        ? {}
        : { [`Checksum${page.checksum.algorithm.toUpperCase()}`]: part.checksum }),
    })),
  })
}

/** A page of ListMultipartUploads. */
export interface UploadsPage {
  bucket: string
  prefix: string
  delimiter?: string
  keyMarker: string
  uploadIdMarker: string
  maxUploads: number
  uploads: readonly { key: string; uploadId: string; owner: string; createdAt: string }[]
  commonPrefixes: readonly string[]
  /** Where the next page starts, when the page is cut short. */
  next?: { key: string; uploadId: string }
  urlEncoded: boolean
}

/** `ListMultipartUploadsResult`. */
export function listUploadsXml(page: UploadsPage): string {
  const encode = encoder(page.urlEncoded)
  return buildS3Xml('ListMultipartUploadsResult', {
    Bucket: page.bucket,
    KeyMarker: encode(page.keyMarker),
    UploadIdMarker: page.uploadIdMarker,
    NextKeyMarker: encode(page.next?.key),
    NextUploadIdMarker: page.next?.uploadId,
    Prefix: encode(page.prefix),
    Delimiter: encode(page.delimiter),
    MaxUploads: page.maxUploads,
    EncodingType: page.urlEncoded ? 'url' : undefined,
    IsTruncated: page.next !== undefined,
    Upload: page.uploads.map((upload) => ({
      Key: encode(upload.key),
      UploadId: upload.uploadId,
      Initiator: owner(upload.owner),
      Owner: { ID: OWNER.id, DisplayName: OWNER.displayName },
      StorageClass: 'STANDARD',
      Initiated: iso(upload.createdAt),
    })),
    CommonPrefixes: page.commonPrefixes.map((prefix) => ({ Prefix: encode(prefix) })),
  })
}
