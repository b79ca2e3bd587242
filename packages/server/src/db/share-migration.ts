import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * Shares: links that refer to a record, so that they can be listed, counted and revoked, and each
 * bucket's longest share (`max_share_seconds`; null: 7 days, the longest signed URL); and when each
 * API key was last used, for the admin pages.
 */
export const shareMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('buckets').addColumn('max_share_seconds', 'bigint').execute()
    await db.schema.alterTable('api_keys').addColumn('last_used_at', 'text').execute()
    await db.schema
      .createTable('shares')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('bucket', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_by_name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('max_downloads', 'integer')
      .addColumn('downloads', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('bytes_served', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('revoked_at', 'text')
      .execute()
    await db.schema.createIndex('shares_by_bucket').on('shares').columns(['bucket', 'created_at']).execute()
    await db.schema
      .createIndex('shares_by_name')
      .on('shares')
      .columns(['created_by_name', 'created_at'])
      .execute()
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('shares').execute()
    await db.schema.alterTable('api_keys').dropColumn('last_used_at').execute()
    await db.schema.alterTable('buckets').dropColumn('max_share_seconds').execute()
  },
}
