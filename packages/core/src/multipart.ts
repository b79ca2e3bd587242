import { createHash } from 'node:crypto'
import { StorageError } from './errors.ts'

/** S3's smallest part but the last: 5 MiB. Every driver keeps it, so uploads behave alike everywhere. */
export const MIN_PART_SIZE = 5 * 1024 * 1024

/** S3's highest part number (parts are numbered 1 to 10 000). */
export const MAX_PART_NUMBER = 10_000

/** A part as a completion names it. */
export interface PartRef {
  partNumber: number
  /** Quoted or not: compared without quotes. */
  etag: string
}

/** A part as the driver holds it. */
export interface StoredPart {
  partNumber: number
  /** Quoted, as S3 gives it: `"<md5 hex>"` on fs and memory. */
  etag: string
  size: number
}

/** Throws `InvalidArgument` unless `partNumber` is a whole number from 1 to 10 000. */
export function checkPartNumber(partNumber: number): void {
  if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw new StorageError('InvalidArgument', `part numbers go from 1 to ${MAX_PART_NUMBER}`)
  }
}

/** An upload id a driver made itself: hex, so it can name a file or a map entry and nothing else. */
export function isUploadId(uploadId: string): boolean {
  return /^[0-9a-f]{32}$/.test(uploadId)
}

const unquote = (etag: string) => etag.replaceAll('"', '')

/**
 * Checks a completion against the parts stored, as S3 does: at least one part, part numbers strictly
 * ascending (`InvalidPartOrder`), each one stored with that etag (`InvalidPart`), each but the last at
 * least 5 MiB (`PartTooSmall`). Returns the stored parts chosen, in order.
 */
export function checkCompletion(requested: readonly PartRef[], stored: readonly StoredPart[]): StoredPart[] {
  if (requested.length === 0) {
    throw new StorageError('InvalidArgument', 'a multipart upload is completed with at least one part')
  }
  const byNumber = new Map(stored.map((part) => [part.partNumber, part]))
  const chosen: StoredPart[] = []
  let previous = 0
  for (const ref of requested) {
    checkPartNumber(ref.partNumber)
    if (ref.partNumber <= previous) {
      throw new StorageError('InvalidPartOrder', 'the parts must be listed in ascending order of part number')
    }
    previous = ref.partNumber
    const part = byNumber.get(ref.partNumber)
    if (part === undefined || unquote(part.etag) !== unquote(ref.etag)) {
      throw new StorageError(
        'InvalidPart',
        `part ${ref.partNumber} was not uploaded, or its etag is not the one given`,
      )
    }
    chosen.push(part)
  }
  chosen.slice(0, -1).forEach((part) => {
    if (part.size < MIN_PART_SIZE) {
      throw new StorageError(
        'PartTooSmall',
        `part ${part.partNumber} has ${part.size} bytes: every part but the last needs at least ${MIN_PART_SIZE}`,
      )
    }
  })
  return chosen
}

/** S3's etag of a multipart object: the md5 of the parts' binary md5s, then `-<number of parts>`. */
export function multipartEtag(parts: readonly { etag: string }[]): string {
  const hash = createHash('md5')
  for (const part of parts) hash.update(Buffer.from(unquote(part.etag), 'hex'))
  return `"${hash.digest('hex')}-${parts.length}"`
}
