import { StorageError } from '@coffer/core'
import type { Kysely, Selectable } from 'kysely'
import type { Database, SiteDeployTable, SiteTable } from '../../db/schema.ts'

/** A prototype site. */
export interface Site {
  name: string
  /** Anyone may open it; otherwise only holders of a preview link. */
  public: boolean
  /** The deploy the site serves, until the first deploy none. */
  currentDeploy: string | undefined
  createdAt: string
  updatedAt: string
}

/** One immutable deploy of a site. */
export interface Deploy {
  site: string
  id: string
  files: number
  bytes: number
  /** Unknown paths answer with the deploy's index.html (a single-page app). */
  spa: boolean
  createdAt: string
}

function siteOf(row: Selectable<SiteTable>): Site {
  return {
    name: row.name,
    public: row.public === 1,
    currentDeploy: row.current_deploy ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

function deployOf(row: Selectable<SiteDeployTable>): Deploy {
  const { site, id, files, created_at } = row
  return { site, id, files, bytes: Number(row.bytes), spa: row.spa === 1, createdAt: created_at }
}

const noDeploy = (site: string, id: string) =>
  new StorageError('NotFound', `site "${site}" has no deploy "${id}"`)

/**
 * Sites and their deploys in the index database. The files are in the `prototypes` bucket; a
 * deploy's row is written only once all its files are stored, so a row always names a complete
 * deploy, and switching a site's live deploy is one row update: atomic for every reader.
 */
export class SiteStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async get(name: string): Promise<Site | undefined> {
    const row = await this.#db.selectFrom('sites').selectAll().where('name', '=', name).executeTakeFirst()
    return row === undefined ? undefined : siteOf(row)
  }

  /** The sites, by name, at most `limit` of them. */
  async list(limit = 1000): Promise<Site[]> {
    const rows = await this.#db.selectFrom('sites').selectAll().orderBy('name').limit(limit).execute()
    return rows.map(siteOf)
  }

  /** The site, or `NotFound` (404). */
  async require(name: string): Promise<Site> {
    const site = await this.get(name)
    if (site === undefined) throw new StorageError('NotFound', `no site "${name}"`)
    return site
  }

  /** Records a complete deploy, creating its site (private) on its first deploy, and makes it live if asked. */
  async addDeploy(deploy: Deploy, activate: boolean): Promise<void> {
    const now = deploy.createdAt
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .insertInto('sites')
        .values({ name: deploy.site, public: 0, current_deploy: null, created_at: now, updated_at: now })
        .onConflict((c) => c.column('name').doNothing())
        .execute()
      await tx
        .insertInto('site_deploys')
        .values({
          site: deploy.site,
          id: deploy.id,
          files: deploy.files,
          bytes: deploy.bytes,
          spa: deploy.spa ? 1 : 0,
          created_at: now,
        })
        .execute()
      if (activate) {
        await tx
          .updateTable('sites')
          .set({ current_deploy: deploy.id, updated_at: now })
          .where('name', '=', deploy.site)
          .execute()
      }
    })
  }

  /** Switches the live deploy (to one of the site's deploys) and/or the site's visibility. */
  async update(name: string, change: { current?: string; public?: boolean }): Promise<Site> {
    return this.#db.transaction().execute(async (tx) => {
      const site = await tx.selectFrom('sites').select('name').where('name', '=', name).executeTakeFirst()
      if (site === undefined) throw new StorageError('NotFound', `no site "${name}"`)
      const set: Partial<SiteTable> = { updated_at: new Date().toISOString() }
      if (change.current !== undefined) {
        const deploy = await tx
          .selectFrom('site_deploys')
          .select('id')
          .where('site', '=', name)
          .where('id', '=', change.current)
          .executeTakeFirst()
        if (deploy === undefined) throw noDeploy(name, change.current)
        set.current_deploy = change.current
      }
      if (change.public !== undefined) set.public = change.public ? 1 : 0
      const row = await tx
        .updateTable('sites')
        .set(set)
        .where('name', '=', name)
        .returningAll()
        .executeTakeFirstOrThrow()
      return siteOf(row)
    })
  }

  async deploy(site: string, id: string): Promise<Deploy | undefined> {
    const row = await this.#db
      .selectFrom('site_deploys')
      .selectAll()
      .where('site', '=', site)
      .where('id', '=', id)
      .executeTakeFirst()
    return row === undefined ? undefined : deployOf(row)
  }

  /** The site's deploys, newest first. */
  async deploys(site: string): Promise<Deploy[]> {
    const rows = await this.#db
      .selectFrom('site_deploys')
      .selectAll()
      .where('site', '=', site)
      .orderBy('id', 'desc')
      .execute()
    return rows.map(deployOf)
  }

  /** Forgets a deploy; the live one cannot go (`Conflict`, 409): switch to another first. */
  async removeDeploy(site: string, id: string): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom('sites')
        .select('current_deploy')
        .where('name', '=', site)
        .executeTakeFirst()
      if (row?.current_deploy === id) {
        throw new StorageError(
          'Conflict',
          `deploy "${id}" is live on site "${site}"; switch to another first`,
        )
      }
      const { numDeletedRows } = await tx
        .deleteFrom('site_deploys')
        .where('site', '=', site)
        .where('id', '=', id)
        .executeTakeFirst()
      if (numDeletedRows === 0n) throw noDeploy(site, id)
    })
  }
}
