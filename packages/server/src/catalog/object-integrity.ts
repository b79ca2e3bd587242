import { type Kysely, sql } from 'kysely'
import { reusableQuery } from '../db/reusable-query.ts'
import type { Database } from '../db/schema.ts'

/** A checksum as S3 returns it: its algorithm (`crc32`, …), its type, and its base64 value. */
export interface StoredChecksum {
  algorithm: string
  /** `FULL_OBJECT`: of all the bytes; `COMPOSITE`: of the parts' checksums, its value ending `-<parts>`. */
  type: 'FULL_OBJECT' | 'COMPOSITE'
  value: string
}

/** One part of an object joined from parts: its size, and the checksum it was sent with. */
export interface StoredObjectPart {
  size: number
  checksum?: string
}

/** What the index knows of one version of an object besides its attributes. */
export interface ObjectIntegrity {
  /** The version these describe: a reader compares it with the object it serves. */
  etag: string
  checksum?: StoredChecksum
  parts?: StoredObjectPart[]
}

/** What a read of an object needs from its index row: its version's checksum and parts, its tags' count. */
export interface IndexedVersion extends ObjectIntegrity {
  tagCount: number
}

/** Every S3 GET reads these (see `reusableQuery`): the row without its parts, unless asked. */
const withoutParts = reusableQuery((db) =>
  db
    .selectFrom('objects')
    .select(['etag', 'checksum', 'tags', sql<string | null>`null`.as('parts')])
    .where('bucket', '=', '')
    .where('key', '=', ''),
)
const withParts = reusableQuery((db) =>
  db
    .selectFrom('objects')
    .select(['etag', 'checksum', 'tags', 'parts'])
    .where('bucket', '=', '')
    .where('key', '=', ''),
)

/**
 * The checksum, parts (when `parts` is asked for: a long list, read only for `partNumber` and
 * attributes) and number of tags recorded for a key, in one read; undefined without a row.
 */
export async function readObjectIntegrity(
  db: Kysely<Database>,
  bucket: string,
  key: string,
  { parts = true }: { parts?: boolean } = {},
): Promise<IndexedVersion | undefined> {
  const [row] = await (parts ? withParts : withoutParts)(db, bucket, key)
  if (row === undefined) return undefined
  const listed = row.parts ?? null
  return {
    etag: row.etag,
    tagCount: row.tags === null ? 0 : (JSON.parse(row.tags) as unknown[]).length,
    ...(row.checksum === null ? {} : { checksum: JSON.parse(row.checksum) as StoredChecksum }),
    ...(listed === null ? {} : { parts: JSON.parse(listed) as StoredObjectPart[] }),
  }
}

/**
 * Records the checksum and parts of the object whose row has `etag`. Returns false when no such row
 * is there (another write replaced the object meanwhile: what is recorded would not be its).
 */
export async function writeObjectIntegrity(
  db: Kysely<Database>,
  bucket: string,
  key: string,
  integrity: ObjectIntegrity,
): Promise<boolean> {
  const result = await db
    .updateTable('objects')
    .set({
      checksum: integrity.checksum === undefined ? null : JSON.stringify(integrity.checksum),
      parts: integrity.parts === undefined ? null : JSON.stringify(integrity.parts),
    })
    .where('bucket', '=', bucket)
    .where('key', '=', key)
    .where('etag', '=', integrity.etag)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}
