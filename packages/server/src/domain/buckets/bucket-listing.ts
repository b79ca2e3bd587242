import { type ListOptions, type ListResult, StorageError } from '@coffer/core'
import type { CatalogQuery, IndexPage, Order, Sort } from '../../catalog/catalog-listing.ts'

export { ORDERS, SORTS } from '../../catalog/catalog-listing.ts'

import type { ObjectCatalog } from '../../catalog/object-catalog.ts'
import type { BucketObjects } from './bucket-objects.ts'

/** A listing as a client asks for it: S3's page, and the index's filters and sorts. */
export interface ListRequest {
  /** A normalised prefix (see `normalizePrefix`). */
  prefix: string
  delimiter?: string | undefined
  cursor?: string | undefined
  limit?: number | undefined
  /** `store` lists the storage itself (no filters or sorts): the truth the index converges to. */
  source?: 'index' | 'store' | undefined
  sort?: Sort | undefined
  order?: Order | undefined
  /** Content types, comma-separated, with wildcards (`image/*`). */
  type?: string | undefined
  minSize?: number | undefined
  maxSize?: number | undefined
  /** Images at least this wide or high (as probed at upload). */
  minWidth?: number | undefined
  minHeight?: number | undefined
  modifiedAfter?: string | undefined
  modifiedBefore?: string | undefined
  q?: string | undefined
  /** The name (after the last `/`) contains this text: a search across folders. */
  name?: string | undefined
}

/** A date-time as the index stores times; `InvalidArgument` for one that is not a time. */
function isoTime(value: string): string {
  const time = Date.parse(value)
  if (Number.isNaN(time))
    throw new StorageError('InvalidArgument', `"${value.slice(0, 40)}" is not a date-time`)
  return new Date(time).toISOString()
}

/** The index's query for a request: times as the index compares them (ISO 8601, UTC, ms). */
function catalogQuery(page: ListOptions & { prefix: string }, request: ListRequest): CatalogQuery {
  const query: CatalogQuery = { ...page }
  if (request.sort !== undefined) query.sort = request.sort
  if (request.order !== undefined) query.order = request.order
  if (request.minSize !== undefined) query.minSize = request.minSize
  if (request.maxSize !== undefined) query.maxSize = request.maxSize
  if (request.minWidth !== undefined) query.minWidth = request.minWidth
  if (request.minHeight !== undefined) query.minHeight = request.minHeight
  if (request.q !== undefined) query.q = request.q
  if (request.name !== undefined) query.name = request.name
  if (request.modifiedAfter !== undefined) query.modifiedAfter = isoTime(request.modifiedAfter)
  if (request.modifiedBefore !== undefined) query.modifiedBefore = isoTime(request.modifiedBefore)
  if (request.type !== undefined)
    query.types = request.type
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '')
  return query
}

/** A page of a bucket's objects: from the index (filtered, sorted), or from the store itself. */
export async function listBucket(
  catalog: ObjectCatalog,
  objects: BucketObjects,
  request: ListRequest,
): Promise<ListResult | IndexPage> {
  const { prefix, delimiter, cursor, limit, source } = request
  const page: ListOptions & { prefix: string } = { prefix }
  if (delimiter !== undefined) page.delimiter = delimiter
  if (cursor !== undefined) page.cursor = cursor
  if (limit !== undefined) page.limit = limit
  if (source !== 'store') return catalog.listing.list(objects.bucket.name, catalogQuery(page, request))
  const filtered = [
    'sort',
    'order',
    'type',
    'minSize',
    'maxSize',
    'minWidth',
    'minHeight',
    'modifiedAfter',
    'modifiedBefore',
    'q',
    'name',
  ]
  if (filtered.some((field) => request[field as keyof ListRequest] !== undefined))
    throw new StorageError('InvalidArgument', 'filters and sorts need the index: drop source=store')
  return objects.list(page)
}
