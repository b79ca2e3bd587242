import type { NormalizedKey } from '@coffer/core'
import type { ObjectCatalog } from '../../catalog/object-catalog.ts'
import { type ObjectIntegrity, readObjectIntegrity } from '../../catalog/object-integrity.ts'
import type { BucketObjects } from './bucket-objects.ts'

export type {
  IndexedVersion,
  ObjectIntegrity,
  StoredChecksum,
  StoredObjectPart,
} from '../../catalog/object-integrity.ts'

/**
 * The checksum and parts the index holds for the version of `key` whose etag is `etag`; undefined
 * when it holds none for that version (the key is not indexed, or changed since it was written).
 */
export async function objectIntegrity(
  catalog: ObjectCatalog,
  objects: BucketObjects,
  key: NormalizedKey,
  etag: string,
): Promise<ObjectIntegrity | undefined> {
  const found = await readObjectIntegrity(catalog.db, objects.bucket.name, key)
  return found?.etag === etag ? found : undefined
}

/**
 * What the index holds for `key` that a read answers with: the checksum and (with `parts`) the
 * parts of the version it last saw written, and how many tags it has. The caller compares the
 * etag with the object it serves before it answers with the checksum or parts.
 */
export function indexedVersion(
  catalog: ObjectCatalog,
  objects: BucketObjects,
  key: NormalizedKey,
  opts: { parts: boolean },
): ReturnType<typeof readObjectIntegrity> {
  return readObjectIntegrity(catalog.db, objects.bucket.name, key, opts)
}
