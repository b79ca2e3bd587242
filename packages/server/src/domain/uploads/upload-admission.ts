import { StorageError } from '@coffer/core'
import { reservedIn } from '../../catalog/quota.ts'
import type { Bucket } from '../buckets/bucket-store.ts'
import type { DomainContext } from '../context.ts'
import type { StagingLedger, StagingLimits } from './staging-ledger.ts'

/** What a request that stages bytes may send, and what the checks need to know of it. */
export interface Admission {
  /** Bytes already staged (the upload's offset). */
  offset: number
  /** Bytes this request may add; tus stops its body there. */
  room: number
  /** Bytes claimed in the ledger for the request, to release when it ends. */
  claimed: number
}

/** What a request says it will add to an upload. */
export interface Incoming {
  /** Its Content-Length, when it has one. */
  bodyBytes?: number
  /** The upload's whole length, when known (declared at creation or by this request). */
  length?: number
}

/**
 * Bytes the bucket's byte quota has room for at `key`, before what this process has staged: the
 * quota, less what the index counts and live reservations hold, plus the object the upload replaces.
 * Infinite for a bucket without a byte quota.
 */
export async function quotaRoom(ctx: DomainContext, bucket: Bucket, key: string): Promise<number> {
  if (bucket.quotaBytes === undefined) return Number.POSITIVE_INFINITY
  const row = await ctx.db
    .selectFrom('buckets')
    .select(['quota_bytes', 'used_bytes'])
    .where('name', '=', bucket.name)
    .executeTakeFirst()
  if (row === undefined || row.quota_bytes === null) return Number.POSITIVE_INFINITY
  const reserved = await reservedIn(ctx.db, bucket.name)
  const replaced = await ctx.catalog.find(bucket.name, key)
  return Number(row.quota_bytes) - Number(row.used_bytes) - reserved.bytes + Number(replaced?.size ?? 0)
}

/**
 * Admits the bytes of a request on upload `id` before any of them is staged, or throws: `TooLarge`
 * past the bucket's size limit, `QuotaExceeded` past the room its quota leaves once every staged
 * byte in the bucket is counted, `Unavailable` when the service's staging area is full. An upload of
 * known length needs room for all that it has still to send (it cannot finish otherwise); one of
 * deferred length for the request's Content-Length, or at least a byte. Admitted bytes are claimed in
 * the ledger until the caller releases them.
 */
export function admit(
  ledger: StagingLedger,
  limits: StagingLimits,
  target: { id: string; bucket: Bucket; quotaRoom: number },
  incoming: Incoming,
): Admission {
  // No await from here to the claim: concurrent requests see each other's claims.
  const { id, bucket } = target
  const offset = ledger.staged(id)
  const remainder = incoming.length === undefined ? undefined : incoming.length - offset
  const need = Math.max(incoming.bodyBytes ?? 0, remainder ?? 0, 1)
  const sizeRoom = bucket.maxFileSize === undefined ? Number.POSITIVE_INFINITY : bucket.maxFileSize - offset
  const quotaLeft = target.quotaRoom - ledger.inBucket(bucket.name)
  const stagingLeft = limits.totalBytes - ledger.total()
  if (need > sizeRoom) {
    throw new StorageError(
      'TooLarge',
      `the upload is larger than the bucket's limit of ${bucket.maxFileSize} bytes`,
    )
  }
  if (need > quotaLeft) {
    throw new StorageError(
      'QuotaExceeded',
      `bucket "${bucket.name}" has no room for ${need} more bytes within its quota`,
    )
  }
  if (need > stagingLeft) {
    throw new StorageError('Unavailable', 'the staging area for resumable uploads is full; retry later')
  }
  const room = Math.min(sizeRoom, quotaLeft, stagingLeft)
  const claimed = incoming.bodyBytes ?? remainder ?? room
  ledger.claim(id, bucket.name, claimed)
  return { offset, room, claimed }
}
