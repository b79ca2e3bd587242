import { hash, randomBytes } from 'node:crypto'
import { StorageError } from '@coffer/core'
import type { Kysely, Selectable } from 'kysely'
import type { ApiKeyTable, Database } from '../../db/schema.ts'
import { Recent } from '../../support/recent.ts'
import { KeyUse } from './key-use.ts'
import { parseScopes, type Scope } from './scopes.ts'

/** Every token starts with this, so that a leaked one is easy to recognise (and to scan for). */
export const TOKEN_PREFIX = 'cfr_'
/** The id of the key that `COFFER_ADMIN_KEY` configures. */
export const ENV_ADMIN_KEY_ID = 'env-admin'
const ADMIN_SCOPES: Scope[] = [{ bucket: '*', prefix: '', permissions: ['admin'] }]

/** An API key as the API shows it: never with its token or hash. */
export interface ApiKey {
  id: string
  name: string
  scopes: Scope[]
  createdAt: string
  expiresAt?: string
  revokedAt?: string
  /** When the key last authenticated a request (to the minute; see `KeyUse`). */
  lastUsedAt?: string
}

/** sha256 of a token, hex: what the index keeps instead of the token. */
export function hashToken(token: string): string {
  return hash('sha256', token)
}

function toApiKey(row: Selectable<ApiKeyTable>): ApiKey {
  const key: ApiKey = {
    id: row.id,
    name: row.name,
    scopes: parseScopes(JSON.parse(row.scopes)),
    createdAt: row.created_at,
  }
  if (row.expires_at !== null) key.expiresAt = row.expires_at
  if (row.revoked_at !== null) key.revokedAt = row.revoked_at
  if (row.last_used_at != null) key.lastUsedAt = row.last_used_at
  return key
}

/**
 * API keys: random 32-byte tokens, shown once at creation and stored only as their sha256. A key is
 * active until it is revoked or expires.
 *
 * The keys that authenticated requests are kept in memory for `cacheTtl` ms (default 5 s): looking a
 * key up in the index on every request was one of the largest costs of a small GET. A revoke through
 * this store applies at once; a change another process writes into the index (a second instance on
 * Postgres) applies within `cacheTtl`. Expiry is checked on every use. Unknown tokens are not cached.
 */
export class ApiKeyStore {
  readonly #db: Kysely<Database>
  /** Keys that authenticated a request, by their token's hash. */
  readonly #recent: Recent<ApiKey>
  /** Keys that issued a signed URL in use, by their id. */
  readonly #issuers: Recent<ApiKey>
  readonly #use: KeyUse

  /** `onError` hears of failed writes of when keys were last used (the request goes on). */
  constructor(db: Kysely<Database>, options: { cacheTtl?: number; onError?: (error: unknown) => void } = {}) {
    this.#db = db
    this.#recent = new Recent(options.cacheTtl)
    this.#issuers = new Recent(options.cacheTtl)
    // A store made only to bootstrap the admin key authenticates nothing: it needs no error report.
    this.#use = new KeyUse(db, options.onError ?? (() => {}))
  }

  /** Creates a key; the returned token is the only copy there will ever be. */
  async create(input: {
    name: string
    scopes: Scope[]
    expiresAt?: Date
  }): Promise<{ key: ApiKey; token: string }> {
    if (input.expiresAt !== undefined && !(input.expiresAt.getTime() > Date.now())) {
      throw new StorageError('InvalidArgument', 'expiresAt must be in the future')
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url')
    const id = `key_${randomBytes(12).toString('base64url')}`
    return { key: await this.#insert(id, input, token), token }
  }

  async #insert(id: string, input: { name: string; scopes: Scope[]; expiresAt?: Date }, token: string) {
    const row = {
      id,
      name: input.name,
      token_hash: hashToken(token),
      scopes: JSON.stringify(input.scopes),
      created_at: new Date().toISOString(),
      expires_at: input.expiresAt?.toISOString() ?? null,
      revoked_at: null,
    }
    await this.#db.insertInto('api_keys').values(row).execute()
    return toApiKey({ ...row, last_used_at: null })
  }

  /** Every key, revoked and expired ones included, oldest first. */
  async list(): Promise<ApiKey[]> {
    const rows = await this.#db
      .selectFrom('api_keys')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map(toApiKey)
  }

  /** Revokes a key for good. Throws `NotFound` for an unknown id; revoking twice is a no-op. */
  async revoke(id: string): Promise<void> {
    const result = await this.#db
      .updateTable('api_keys')
      .set({ revoked_at: new Date().toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (result.numUpdatedRows > 0n) {
      this.#recent.forget()
      this.#issuers.forget(id)
      return
    }
    const exists = await this.#db.selectFrom('api_keys').select('id').where('id', '=', id).executeTakeFirst()
    if (!exists) throw new StorageError('NotFound', `no API key "${id}"`)
  }

  /** Notes that the key `id` authenticated a request by other means (S3 SigV4); see `KeyUse`. */
  noteUse(id: string): void {
    this.#use.note(id)
  }

  /**
   * The active key a token belongs to, or undefined (unknown, revoked or expired); a key found is
   * noted as used (written at most once a minute).
   */
  async findActive(token: string): Promise<ApiKey | undefined> {
    const hash = hashToken(token)
    const key = await this.#active(this.#recent, hash, 'token_hash', hash)
    if (key !== undefined) this.#use.note(key.id)
    return key
  }

  /**
   * The active key with this id, or undefined (unknown, revoked or expired): whether the signed URLs
   * a key issued still hold. Cached as `findActive` is.
   */
  findActiveById(id: string): Promise<ApiKey | undefined> {
    return this.#active(this.#issuers, id, 'id', id)
  }

  /** The unrevoked key whose `column` is `value`, read through `cache`; undefined once it expired. */
  async #active(
    cache: Recent<ApiKey>,
    cacheKey: string,
    column: 'id' | 'token_hash',
    value: string,
  ): Promise<ApiKey | undefined> {
    const key = await cache.get(cacheKey, async () => {
      const row = await this.#db
        .selectFrom('api_keys')
        .selectAll()
        .where(column, '=', value)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      return row && toApiKey(row)
    })
    if (key === undefined) return undefined
    if (key.expiresAt !== undefined && Date.parse(key.expiresAt) <= Date.now()) return undefined
    return key
  }

  /**
   * Registers `COFFER_ADMIN_KEY` as the admin key `env-admin` (or removes a previous one when it is
   * unset or changed). Throws `AccessDenied` when that very key was revoked: making it again would
   * undo the revoke, which is meant for good.
   */
  async useEnvAdminKey(adminToken: string | undefined): Promise<void> {
    const current = await this.#db
      .selectFrom('api_keys')
      .select(['token_hash', 'revoked_at'])
      .where('id', '=', ENV_ADMIN_KEY_ID)
      .executeTakeFirst()
    const same = adminToken !== undefined && current?.token_hash === hashToken(adminToken)
    if (same && current?.revoked_at !== null) {
      throw new StorageError(
        'AccessDenied',
        `COFFER_ADMIN_KEY was revoked (API key "${ENV_ADMIN_KEY_ID}"): set a new COFFER_ADMIN_KEY, or unset it`,
      )
    }
    this.#recent.forget()
    this.#issuers.forget()
    // The same key stays as it is, with its creation time: the URLs it signed hold across restarts.
    if (same) return
    await this.#db.deleteFrom('api_keys').where('id', '=', ENV_ADMIN_KEY_ID).execute()
    if (adminToken !== undefined && current !== undefined) {
      // Signed URLs name their issuer by id and carry their time in whole seconds: the new key must
      // be created in a later second than any URL the old one signed, or those URLs would pass as
      // its own. Only a changed COFFER_ADMIN_KEY waits, once, at start, under a second.
      await new Promise((resolve) => setTimeout(resolve, 1001 - (Date.now() % 1000)))
    }
    if (adminToken !== undefined) {
      await this.#insert(ENV_ADMIN_KEY_ID, { name: 'COFFER_ADMIN_KEY', scopes: ADMIN_SCOPES }, adminToken)
    }
  }

  /**
   * Makes the first admin key when there is no key at all, and returns its token (the only time it
   * is seen); undefined when any key exists. The service calls it once it listens, so a start that
   * fails makes no key that nobody was shown.
   */
  async firstAdminKey(): Promise<string | undefined> {
    const any = await this.#db.selectFrom('api_keys').select('id').limit(1).executeTakeFirst()
    if (any) return undefined
    const { token } = await this.create({ name: 'first admin key', scopes: ADMIN_SCOPES })
    return token
  }

  /** `useEnvAdminKey`, then `firstAdminKey` when no admin key was given: for tests and tools. */
  async bootstrap(adminToken: string | undefined): Promise<string | undefined> {
    await this.useEnvAdminKey(adminToken)
    return adminToken === undefined ? this.firstAdminKey() : undefined
  }
}
