import { type NormalizedKey, StorageError } from '@coffer/core'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.ts'
import type { Principal } from '../auth/scopes.ts'

/** A resumable upload in progress: where its bytes go once complete, and who may send them. */
export interface UploadSession {
  id: string
  bucket: string
  key: NormalizedKey
  /** `ownerOf(principal)` of the credential that created it. */
  owner: string
  /** Upload-Length, or undefined while deferred. */
  length?: number
  contentType?: string
  createdAt: string
}

/** The owner string of a credential: an API key's id or a JWT's subject, with its kind. */
export function ownerOf(principal: Principal): string {
  return `${principal.kind}:${principal.id}`
}

/**
 * Upload sessions in the index (table `upload_sessions`), so uploads survive a restart. Each owner
 * may have `perOwner` sessions at most.
 */
export class UploadSessionStore {
  readonly #db: Kysely<Database>
  readonly #perOwner: number
  /** Per owner, the last creation queued: an owner's creations count and insert one at a time. */
  readonly #creating = new Map<string, Promise<void>>()

  constructor(db: Kysely<Database>, perOwner = Number.POSITIVE_INFINITY) {
    this.#db = db
    this.#perOwner = perOwner
  }

  /**
   * Records a session; throws `AccessDenied` when its owner has its most sessions open. Creations of
   * one owner run one at a time, so that many at once cannot all pass the count (within a process).
   */
  async create(session: UploadSession): Promise<void> {
    const run = (this.#creating.get(session.owner) ?? Promise.resolve()).then(() => this.#insert(session))
    // The chain only orders creations; a failed one is reported to its own caller below.
    const tail = run.catch(() => undefined)
    this.#creating.set(session.owner, tail)
    try {
      await run
    } finally {
      if (this.#creating.get(session.owner) === tail) this.#creating.delete(session.owner)
    }
  }

  async #insert(session: UploadSession): Promise<void> {
    const open = await this.countOwnedBy(session.owner)
    if (open >= this.#perOwner) {
      throw new StorageError(
        'AccessDenied',
        `this credential has ${open} unfinished uploads open, the most it may have; ` +
          'finish or terminate (DELETE) one first',
      )
    }
    await this.#db
      .insertInto('upload_sessions')
      .values({
        id: session.id,
        bucket: session.bucket,
        key: session.key,
        owner: session.owner,
        length: session.length ?? null,
        content_type: session.contentType ?? null,
        created_at: session.createdAt,
      })
      .execute()
  }

  /** The session of an upload id, or undefined. */
  async find(id: string): Promise<UploadSession | undefined> {
    const row = await this.#db
      .selectFrom('upload_sessions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    if (row === undefined) return undefined
    const session: UploadSession = {
      id: row.id,
      bucket: row.bucket,
      // Written from a normalised key (see `create`).
      key: row.key as NormalizedKey,
      owner: row.owner,
      createdAt: row.created_at,
    }
    if (row.length !== null) session.length = Number(row.length)
    if (row.content_type !== null) session.contentType = row.content_type
    return session
  }

  /** Ids of the sessions created before `time` (ISO). */
  async createdBefore(time: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('upload_sessions')
      .select('id')
      .where('created_at', '<', time)
      .execute()
    return rows.map((row) => row.id)
  }

  /** How many unfinished uploads `owner` has open. */
  async countOwnedBy(owner: string): Promise<number> {
    const row = await this.#db
      .selectFrom('upload_sessions')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('owner', '=', owner)
      .executeTakeFirst()
    return Number(row?.count ?? 0)
  }

  async delete(id: string): Promise<void> {
    await this.#db.deleteFrom('upload_sessions').where('id', '=', id).execute()
  }
}
