import type { Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'

/**
 * S3 checksums and parts. An object's row keeps the checksum its writer declared (`checksum`: JSON
 * `{ algorithm, type, value }`, as S3 returns it) and, for an object joined from parts, each part's
 * size and checksum (`parts`: a JSON array), so that GET and HEAD can answer
 * `x-amz-checksum-mode` and `partNumber` on every driver. In the index, as tags are: they describe
 * one version of the object (each is written where the row still has that version's etag), and a
 * new write of the key drops them with the row. A multipart upload in progress keeps the checksum
 * algorithm and type and the tags it was started with, and each part's declared checksum
 * (`multipart_parts`, with the part's etag, so that a part sent again is not joined with another's).
 */
export const checksumMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('objects').addColumn('checksum', 'text').execute()
    await db.schema.alterTable('objects').addColumn('parts', 'text').execute()
    await db.schema.alterTable('multipart_uploads').addColumn('checksum_algorithm', 'text').execute()
    await db.schema.alterTable('multipart_uploads').addColumn('checksum_type', 'text').execute()
    await db.schema.alterTable('multipart_uploads').addColumn('tags', 'text').execute()
    await db.schema
      .createTable('multipart_parts')
      .addColumn('upload_id', 'text', (c) => c.notNull())
      .addColumn('part_number', 'integer', (c) => c.notNull())
      .addColumn('etag', 'text', (c) => c.notNull())
      .addColumn('checksum', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('multipart_parts_pk', ['upload_id', 'part_number'])
      .execute()
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('multipart_parts').execute()
    for (const column of ['tags', 'checksum_type', 'checksum_algorithm'])
      await db.schema.alterTable('multipart_uploads').dropColumn(column).execute()
    for (const column of ['parts', 'checksum'])
      await db.schema.alterTable('objects').dropColumn(column).execute()
  },
}
