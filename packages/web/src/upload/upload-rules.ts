import { CofferError } from '@coffer/client'
import type { Bucket, Usage } from '../api/types.ts'
import { formatBytes } from '../lib/format.ts'
import { typeMatches } from '../lib/listing.ts'

/** A bucket's policy as the upload queue applies it before sending, and its words for a refusal. */
export interface UploadRules {
  /** Why a file is refused before it is sent (too large, a type the bucket refuses, no room); else undefined. */
  refuse(file: File): string | undefined
  /** A failed upload's reason in people's words, where the server's status says which rule refused it. */
  explain(file: File, error: unknown): string | undefined
}

/** The type a file is sent with (the transports send the same). */
export const sentType = (file: File) => file.type || 'application/octet-stream'

/** "photos is full: 23 MB of 30 MB used". */
export function fullText(bucket: string, used: number, quota: number): string {
  return `${bucket} is full: ${formatBytes(used)} of ${formatBytes(quota)} used`
}

/**
 * The rules of a bucket: its largest file, its types and its quota. `usage` counts what is stored;
 * files accepted in one batch count against the quota as they are accepted.
 */
export function uploadRules(bucket: Bucket, usage: Usage | undefined): UploadRules {
  const { maxFileSize, allowedTypes } = bucket
  const quota = usage?.quotaBytes ?? bucket.quotaBytes
  let planned = usage?.bytes ?? 0
  const tooLarge = (file: File) =>
    `${file.name} is ${formatBytes(file.size)}; this bucket accepts files up to ${formatBytes(maxFileSize ?? 0)}`
  const typeRefused = (file: File) =>
    allowedTypes?.length ? !allowedTypes.some((t) => typeMatches(sentType(file), t)) : false
  const wrongType = (file: File) =>
    `${file.name} is ${sentType(file)}; this bucket accepts ${allowedTypes?.join(', ')}`
  return {
    refuse(file) {
      if (maxFileSize !== undefined && file.size > maxFileSize) return tooLarge(file)
      if (typeRefused(file)) return wrongType(file)
      if (quota !== undefined && usage !== undefined && planned + file.size > quota)
        return `${fullText(bucket.name, usage.bytes, quota)}; ${file.name} needs ${formatBytes(file.size)}`
      planned += file.size
      return undefined
    },
    // The policy may have changed since the page loaded it: its figures are used only where they
    // agree with the refusal.
    explain(file, error) {
      if (!(error instanceof CofferError)) return undefined
      if (error.code === 'TooLarge')
        return maxFileSize !== undefined && file.size > maxFileSize
          ? tooLarge(file)
          : `${file.name} (${formatBytes(file.size)}) is too large for this bucket`
      if (error.code === 'UnsupportedMediaType')
        return typeRefused(file)
          ? wrongType(file)
          : `${file.name} is ${sentType(file)}, a type this bucket does not accept`
      if (error.code === 'QuotaExceeded')
        return quota !== undefined && usage !== undefined
          ? fullText(bucket.name, usage.bytes, quota)
          : `${bucket.name} is full`
      return undefined
    },
  }
}

/** The picker's `accept`: the bucket's types (wildcards as they are), or every type. */
export function acceptOf(bucket: Bucket | undefined): string | undefined {
  return bucket?.allowedTypes?.length ? bucket.allowedTypes.join(',') : undefined
}
