import { StorageError } from '@coffer/core'
import { type Kysely, type Selectable, sql } from 'kysely'
import type { Database, ShareTable } from '../../db/schema.ts'
import { newShareId, shareIdOf, shareToken } from './share-token.ts'

/** A share as the API shows it. */
export interface Share {
  id: string
  bucket: string
  key: string
  /** `<kind>:<id>` of the credential that made it. */
  createdBy: string
  /** That credential's name when it made the share (an API key's name, a JWT's id). */
  createdByName: string
  createdAt: string
  expiresAt: string
  /** Most downloads; any number when absent. */
  maxDownloads?: number
  /** Responses that started at the first byte. */
  downloads: number
  revokedAt?: string
}

/** What a new share needs. */
export interface NewShare {
  bucket: string
  key: string
  createdBy: string
  createdByName: string
  expiresAt: Date
  maxDownloads?: number
}

/** One response through a share: where it starts, how many bytes, and the object's size. */
export interface ShareCharge {
  start: number
  length: number
  size: number
}

/** How many shares a listing returns at most, newest first. */
export const SHARE_LIST_LIMIT = 1000

function toShare(row: Selectable<ShareTable>): Share {
  const share: Share = {
    id: row.id,
    bucket: row.bucket,
    key: row.key,
    createdBy: row.created_by,
    createdByName: row.created_by_name,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    downloads: Number(row.downloads),
  }
  if (row.max_downloads !== null) share.maxDownloads = Number(row.max_downloads)
  if (row.revoked_at !== null) share.revokedAt = row.revoked_at
  return share
}

/** The error every dead link gives: the reason for people, one status (404) whatever it is. */
export function deadLink(why: DeadLinkReason): StorageError {
  return new StorageError('NotFound', DEAD_LINK_MESSAGES[why])
}

/** Why a share link no longer opens. */
export type DeadLinkReason = 'unknown' | 'revoked' | 'expired' | 'used up' | 'gone'

const DEAD_LINK_MESSAGES: Record<DeadLinkReason, string> = {
  unknown: 'this share link does not exist',
  revoked: 'this share link has been revoked',
  expired: 'this share link has expired',
  'used up': 'this share link has been downloaded as many times as it allows',
  gone: 'the shared file is no longer there',
}

/** Why `share` opens no more, if it does not (its download budget aside: see `charge`). */
export function deadReason(share: Share | undefined, now = Date.now()): DeadLinkReason | undefined {
  if (share === undefined) return 'unknown'
  if (share.revokedAt !== undefined) return 'revoked'
  if (Date.parse(share.expiresAt) <= now) return 'expired'
  return undefined
}

/**
 * Shares in the index. A share is read from the index on every use (no cache), so that a revoke
 * ends its link at once on every instance. Its budget is charged in one conditional UPDATE, so
 * concurrent downloads cannot pass it.
 */
export class ShareStore {
  readonly #db: Kysely<Database>
  readonly #secret: string

  constructor(db: Kysely<Database>, secret: string) {
    this.#db = db
    this.#secret = secret
  }

  /** The share id a link's token names, when its MAC holds. */
  idOf(token: string): string | undefined {
    return shareIdOf(this.#secret, token)
  }

  /** The secret part of a share's link (see `shareToken`). */
  token(id: string): string {
    return shareToken(this.#secret, id)
  }

  /** Records a new share; its link is `token(share.id)` under the content origin's `/share/`. */
  async create(input: NewShare): Promise<Share> {
    const row = {
      id: newShareId(),
      bucket: input.bucket,
      key: input.key,
      created_by: input.createdBy,
      created_by_name: input.createdByName,
      created_at: new Date().toISOString(),
      expires_at: input.expiresAt.toISOString(),
      max_downloads: input.maxDownloads ?? null,
      revoked_at: null,
    }
    await this.#db.insertInto('shares').values(row).execute()
    return toShare({ ...row, downloads: 0, bytes_served: 0 })
  }

  /** The share with this id, revoked and expired ones included, or undefined. */
  async find(id: string): Promise<Share | undefined> {
    const row = await this.#db.selectFrom('shares').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toShare(row)
  }

  /**
   * Live shares (neither revoked nor expired), newest first: of a bucket, made by credentials of a
   * name, or made by one credential.
   */
  async list(filter: { bucket?: string; createdByName?: string; createdBy?: string }): Promise<Share[]> {
    let query = this.#db
      .selectFrom('shares')
      .selectAll()
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date().toISOString())
    if (filter.bucket !== undefined) query = query.where('bucket', '=', filter.bucket)
    if (filter.createdByName !== undefined) query = query.where('created_by_name', '=', filter.createdByName)
    if (filter.createdBy !== undefined) query = query.where('created_by', '=', filter.createdBy)
    const rows = await query.orderBy('created_at', 'desc').orderBy('id').limit(SHARE_LIST_LIMIT).execute()
    return rows.map(toShare)
  }

  /** Revokes a share for good; revoking twice is a no-op. Throws `NotFound` for an unknown id. */
  async revoke(id: string): Promise<void> {
    const result = await this.#db
      .updateTable('shares')
      .set({ revoked_at: new Date().toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (result.numUpdatedRows > 0n) return
    if ((await this.find(id)) === undefined) throw new StorageError('NotFound', `no share "${id}"`)
  }

  /** Forgets a deleted bucket's shares: a new bucket of the same name must not answer old links. */
  async dropBucket(bucket: string): Promise<void> {
    await this.#db.deleteFrom('shares').where('bucket', '=', bucket).execute()
  }

  /**
   * Charges one response to a live share before it starts; false when the share is dead or its
   * budget spent. A response from the first byte counts one download, refused once `maxDownloads`
   * are counted. A range from a later byte (a resume, a segment of a parallel download) counts no
   * download; with a maximum, every response's bytes come from a budget of `maxDownloads + 1`
   * times the object's size: the spare copy pays for resumes, and no more than that ever leaves.
   */
  async charge(id: string, charge: ShareCharge): Promise<boolean> {
    const first = charge.start === 0 ? 1 : 0
    const result = await this.#db
      .updateTable('shares')
      .set({
        downloads: sql`downloads + ${first}`,
        bytes_served: sql`bytes_served + cast(${charge.length} as bigint)`,
      })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date().toISOString())
      .where((eb) =>
        eb.or([
          eb('max_downloads', 'is', null),
          eb.and([
            eb(sql<number>`downloads + ${first}`, '<=', eb.ref('max_downloads')),
            eb(
              sql<number>`bytes_served + cast(${charge.length} as bigint)`,
              '<=',
              // Cast: Postgres would type the parameter after `max_downloads` (integer), and a
              // size past 2 GiB would overflow it.
              sql<number>`(max_downloads + 1) * cast(${charge.size} as bigint)`,
            ),
          ]),
        ]),
      )
      .executeTakeFirst()
    return result.numUpdatedRows > 0n
  }
}
