import { StorageError } from '@coffer/core'
import { type Kysely, sql } from 'kysely'
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration'
import { checksumMigration } from './checksum-migration.ts'
import { isPostgres } from './dialect.ts'
import { imageMigration } from './image-migration.ts'
import type { Database } from './schema.ts'
import { shareMigration } from './share-migration.ts'

/**
 * The buckets a new installation starts with, for the app builder's uses: per-project documents,
 * generated prototypes, exports, and public profile pictures (images only, 5 MiB at most).
 */
const PRESET_BUCKETS = [
  { name: 'documents', public: 0, max_file_size: null, allowed_types: null },
  { name: 'prototypes', public: 0, max_file_size: null, allowed_types: null },
  { name: 'exports', public: 0, max_file_size: null, allowed_types: null },
  { name: 'avatars', public: 1, max_file_size: 5 * 1024 * 1024, allowed_types: '["image/*"]' },
]

/**
 * The one migration set, for SQLite and Postgres alike: only types both understand (`text`,
 * `integer`, `bigint`), dates as ISO text. Append new migrations; never edit a released one.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001-buckets-and-keys': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('buckets')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_file_size', 'bigint')
        .addColumn('allowed_types', 'text')
        .addColumn('quota_bytes', 'bigint')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('api_keys').execute()
      await db.schema.dropTable('buckets').execute()
    },
  },
  // A migration runs once per database, so deleted presets do not come back at the next start.
  '0002-preset-buckets': {
    async up(db: Kysely<unknown>) {
      const now = new Date().toISOString()
      const rows = PRESET_BUCKETS.map((b) => ({ ...b, quota_bytes: null, created_at: now, updated_at: now }))
      await (db as Kysely<Database>).insertInto('buckets').values(rows).execute()
    },
    async down(db: Kysely<unknown>) {
      const names = PRESET_BUCKETS.map((b) => b.name)
      await (db as Kysely<Database>).deleteFrom('buckets').where('name', 'in', names).execute()
    },
  },
  // Resumable uploads outlive a restart: their staged bytes are on disk, their owner and target here.
  '0003-upload-sessions': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('upload_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('length', 'bigint')
        .addColumn('content_type', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('upload_sessions').execute()
    },
  },
  // The object index, reservations for quotas, daily usage and the audit trail.
  '0004-object-index': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('buckets').addColumn('quota_objects', 'bigint').execute()
      await db.schema
        .alterTable('buckets')
        .addColumn('used_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute()
      await db.schema
        .alterTable('buckets')
        .addColumn('used_objects', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute()
      // Keys sort in UTF-8 byte order, as S3 lists them: SQLite's BINARY collation compares the bytes;
      // Postgres needs the "C" collation (its default follows the locale).
      const byteOrder = isPostgres(db) ? sql`collate "C"` : sql``
      await db.schema
        .createTable('objects')
        .addColumn('bucket', 'text', (c) => c.notNull().modifyEnd(byteOrder))
        .addColumn('key', 'text', (c) => c.notNull().modifyEnd(byteOrder))
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text')
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('visibility', 'text', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('owner', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('objects_pk', ['bucket', 'key'])
        .execute()
      // Keyset pages for each sort: (bucket, sort column, key).
      await db.schema
        .createIndex('objects_by_size')
        .on('objects')
        .columns(['bucket', 'size', 'key'])
        .execute()
      await db.schema
        .createIndex('objects_by_modified')
        .on('objects')
        .columns(['bucket', 'updated_at', 'key'])
        .execute()
      await db.schema
        .createTable('reservations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('objects', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('reservations_by_bucket').on('reservations').column('bucket').execute()
      await db.schema
        .createTable('usage_daily')
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('bytes_in', 'bigint', (c) => c.notNull())
        .addColumn('bytes_out', 'bigint', (c) => c.notNull())
        .addColumn('requests', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('usage_daily_pk', ['day', 'bucket', 'owner'])
        .execute()
      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('ip', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('bucket', 'text')
        .addColumn('key', 'text')
        .addColumn('detail', 'text')
        .execute()
      await db.schema.createIndex('audit_by_bucket').on('audit_events').columns(['bucket', 'id']).execute()
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['audit_events', 'usage_daily', 'reservations', 'objects']) {
        await db.schema.dropTable(table).execute()
      }
      for (const column of ['used_objects', 'used_bytes', 'quota_objects']) {
        await db.schema.alterTable('buckets').dropColumn(column).execute()
      }
    },
  },
  // A bucket's CORS rule (JSON: origins, methods, headers, maxAge), or null: no origin allowed.
  '0016-bucket-cors': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('buckets').addColumn('cors', 'text').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('buckets').dropColumn('cors').execute()
    },
  },
  // Objects may expire (`x-coffer-expires`, exports): the sweep finds them by this column's index,
  // and listings leave them out. The expiry itself travels in the object's metadata (`expires-at`).
  '0011-object-expiry': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('objects').addColumn('expires_at', 'text').execute()
      await db.schema.createIndex('objects_by_expiry').on('objects').columns(['expires_at']).execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('objects_by_expiry').execute()
      await db.schema.alterTable('objects').dropColumn('expires_at').execute()
    },
  },
  // Prototype sites: each deploy's files live in the `prototypes` bucket under `sites/<site>/<id>/`.
  '0012-sites': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sites')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('current_deploy', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('site_deploys')
        .addColumn('site', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('files', 'integer', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('spa', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('site_deploys_pk', ['site', 'id'])
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('site_deploys').execute()
      await db.schema.dropTable('sites').execute()
    },
  },
  // Store writes under way, so that a restart after a crash repairs just their keys (no store walk).
  '0014-write-intents': {
    async up(db: Kysely<unknown>) {
      const byteOrder = isPostgres(db) ? sql`collate "C"` : sql``
      await db.schema
        .createTable('write_intents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('instance', 'text', (c) => c.notNull())
        .addColumn('bucket', 'text', (c) => c.notNull().modifyEnd(byteOrder))
        .addColumn('key', 'text', (c) => c.notNull().modifyEnd(byteOrder))
        .addColumn('prefix', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createIndex('write_intents_by_instance')
        .on('write_intents')
        .columns(['instance', 'id'])
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('write_intents').execute()
    },
  },
  // SigV4 signs with a shared secret, so S3 credentials keep their secret, sealed (see S3CredentialStore).
  '0013-s3-credentials': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('s3_credentials')
        .addColumn('access_key_id', 'text', (c) => c.primaryKey())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('secret_sealed', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('s3_credentials_by_key').on('s3_credentials').column('key_id').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('s3_credentials').execute()
    },
  },
  // S3 object tags: a JSON array of [key, value] pairs, or null. In the index, not in the object's
  // metadata: S3 changes tags without rewriting the object (its ETag and Last-Modified stay), and
  // ten tags of 128 + 256 characters do not fit the 2 KiB S3 allows metadata.
  '0018-object-tags': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('objects').addColumn('tags', 'text').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('objects').dropColumn('tags').execute()
    },
  },
  '0010-image-renders': imageMigration,
  // S3 multipart uploads in progress: who started each (its credential) and where it goes, so that
  // every part and the completion are checked against it, ListMultipartUploads answers from here, and
  // the sweep finds idle ones. The parts themselves are the store's (see `MultipartDriver`).
  '0017-multipart-uploads': {
    async up(db: Kysely<unknown>) {
      const byteOrder = isPostgres(db) ? sql`collate "C"` : sql``
      await db.schema
        .createTable('multipart_uploads')
        .addColumn('upload_id', 'text', (c) => c.primaryKey())
        .addColumn('bucket', 'text', (c) => c.notNull().modifyEnd(byteOrder))
        .addColumn('key', 'text', (c) => c.notNull().modifyEnd(byteOrder))
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('staged_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute()
      await db.schema
        .createIndex('multipart_uploads_by_key')
        .on('multipart_uploads')
        .columns(['bucket', 'key', 'created_at'])
        .execute()
      await db.schema
        .createIndex('multipart_uploads_by_owner')
        .on('multipart_uploads')
        .column('owner')
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('multipart_uploads').execute()
    },
  },
  '0019-shares': shareMigration,
  '0020-s3-checksums': checksumMigration,
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS }

/** Brings the schema to the latest migration; Kysely's lock keeps concurrent starts from racing. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateToLatest()
  if (error !== undefined) {
    throw new StorageError('Unavailable', 'the database schema could not be migrated', {
      cause: error,
      retryable: false,
    })
  }
}
