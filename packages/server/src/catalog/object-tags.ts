import type { CompiledQuery, Kysely } from 'kysely'
import type { Database } from '../db/schema.ts'

/** One tag of an object: a key and a value, both text. */
export type ObjectTag = readonly [key: string, value: string]

const tagQueries = new WeakMap<Kysely<Database>, CompiledQuery<{ tags: string | null }>>()

/** The tags of an indexed object (none: an empty list); undefined when the key has no row. */
export async function readObjectTags(
  db: Kysely<Database>,
  bucket: string,
  key: string,
): Promise<ObjectTag[] | undefined> {
  // Every S3 GET asks (for `x-amz-tagging-count`): the query is built once per database, and only
  // its parameters change, which spares building and compiling it on each read.
  let query = tagQueries.get(db)
  if (query === undefined) {
    query = db.selectFrom('objects').select('tags').where('bucket', '=', '').where('key', '=', '').compile()
    tagQueries.set(db, query)
  }
  const { rows } = await db.executeQuery<{ tags: string | null }>({ ...query, parameters: [bucket, key] })
  const row = rows[0]
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
