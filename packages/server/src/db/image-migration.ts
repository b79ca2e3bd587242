import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
import type { Database } from './schema.ts'

/** The avatars preset's named variants: square crops for circles of 32 to 256 CSS pixels at 2×. */
export const AVATAR_VARIANTS = {
  thumb: 'w=64,h=64',
  small: 'w=128,h=128',
  medium: 'w=256,h=256',
  large: 'w=512,h=512',
}

/**
 * Image renders: each bucket's render policy (`renders`, `variants`, `strip_metadata`, `allow_svg`),
 * images' sizes and placeholders on object rows, and the `renders` table of the variant cache. The
 * avatars preset, where it is still as created, gets its variants, `renders: variants` and stripping.
 */
export const imageMigration: Migration = {
  async up(db: Kysely<unknown>) {
    for (const [column, type] of [
      ['renders', 'text'],
      ['variants', 'text'],
      ['strip_metadata', 'integer'],
      ['allow_svg', 'integer'],
    ] as const) {
      await db.schema.alterTable('buckets').addColumn(column, type).execute()
    }
    for (const [column, type] of [
      ['width', 'integer'],
      ['height', 'integer'],
      ['thumbhash', 'text'],
    ] as const) {
      await db.schema.alterTable('objects').addColumn(column, type).execute()
    }
    await db.schema
      .createTable('renders')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('bucket', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('source_etag', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text', (c) => c.notNull())
      .execute()
    await db.schema.createIndex('renders_by_source').on('renders').columns(['bucket', 'key']).execute()
    await db.schema.createIndex('renders_by_use').on('renders').columns(['used_at']).execute()
    await (db as Kysely<Database>)
      .updateTable('buckets')
      .set({ renders: 'variants', variants: JSON.stringify(AVATAR_VARIANTS), strip_metadata: 1 })
      .where('name', '=', 'avatars')
      .where('allowed_types', '=', '["image/*"]')
      .execute()
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('renders').execute()
    for (const column of ['thumbhash', 'height', 'width'])
      await db.schema.alterTable('objects').dropColumn(column).execute()
    for (const column of ['allow_svg', 'strip_metadata', 'variants', 'renders']) {
      await db.schema.alterTable('buckets').dropColumn(column).execute()
    }
  },
}
