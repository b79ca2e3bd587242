import { type NormalizedKey, StorageError } from '@coffer/core'
import type { ObjectCatalog } from '../../catalog/object-catalog.ts'
import { type ObjectTag, readObjectTags, writeObjectTags } from '../../catalog/object-tags.ts'
import type { BucketObjects } from './bucket-objects.ts'

export type { ObjectTag } from '../../catalog/object-tags.ts'

/**
 * An object's tags (S3's object tagging). They live in the index, beside the object's row: a tag
 * change rewrites no bytes and keeps the ETag and Last-Modified, and a new write of the key or its
 * delete drops them with the row. Throws `NotFound` when the object is not there.
 */
export async function objectTags(
  catalog: ObjectCatalog,
  objects: BucketObjects,
  key: NormalizedKey,
): Promise<ObjectTag[]> {
  await objects.stat(key)
  return (await readObjectTags(catalog.db, objects.bucket.name, key)) ?? []
}

/**
 * Replaces an object's tags (an empty list removes them) and records it in the audit trail.
 * `etag` names the version to tag (the one just written); by default the current one. Throws
 * `NotFound` when the object is not there, and `Conflict` when another write replaced it meanwhile
 * or it is not indexed yet (written behind Coffer's back, before reconcile found it).
 */
export async function setObjectTags(
  catalog: ObjectCatalog,
  objects: BucketObjects,
  key: NormalizedKey,
  tags: readonly ObjectTag[],
  etag?: string,
): Promise<void> {
  const version = etag ?? (await objects.stat(key)).etag
  const bucket = objects.bucket.name
  if (!(await writeObjectTags(catalog.db, bucket, key, version, tags)))
    throw new StorageError(
      'Conflict',
      'the object changed while its tags were written, or is not indexed yet',
    )
  await catalog.audit(objects.actor, {
    action: tags.length === 0 ? 'object.untag' : 'object.tag',
    bucket,
    key,
    detail: { tags: tags.length },
  })
}
