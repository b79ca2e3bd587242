import type { Kysely } from 'kysely'
import { reusableQuery } from '../db/reusable-query.ts'
import type { Database } from '../db/schema.ts'

/** One tag of an object: a key and a value, both text. */
export type ObjectTag = readonly [key: string, value: string]

/** Every S3 GET asks (for `x-amz-tagging-count`). */
const tagsOf = reusableQuery((db) =>
  db.selectFrom('objects').select('tags').where('bucket', '=', '').where('key', '=', ''),
)

/** The tags of an indexed object (none: an empty list); undefined when the key has no row. */
export async function readObjectTags(
  db: Kysely<Database>,
  bucket: string,
  key: string,
): Promise<ObjectTag[] | undefined> {
  const [row] = await tagsOf(db, bucket, key)
  if (row === undefined) return undefined
  return row.tags === null ? [] : (JSON.parse(row.tags) as ObjectTag[])
}

/**
 * Replaces the tags of the object whose row has `etag` (an empty list removes them). Returns false
 * when no such row is there: the key is not indexed, or another write replaced the object since the
 * caller looked, whose tags are not these.
 */
export async function writeObjectTags(
  db: Kysely<Database>,
  bucket: string,
  key: string,
  etag: string,
  tags: readonly ObjectTag[],
): Promise<boolean> {
  const result = await db
    .updateTable('objects')
    .set({ tags: tags.length === 0 ? null : JSON.stringify(tags) })
    .where('bucket', '=', bucket)
    .where('key', '=', key)
    .where('etag', '=', etag)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}
