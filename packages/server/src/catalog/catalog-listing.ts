import { essence, MAX_LIST_LIMIT, StorageError } from '@coffer/core'
import { type ExpressionBuilder, type Kysely, type Selectable, type SelectQueryBuilder, sql } from 'kysely'
import { isPostgres } from '../db/dialect.ts'
import type { Database, ObjectTable } from '../db/schema.ts'

export const SORTS = ['name', 'size', 'modified'] as const
export type Sort = (typeof SORTS)[number]
export const ORDERS = ['asc', 'desc'] as const
export type Order = (typeof ORDERS)[number]

/** A listing from the index: S3's prefix/delimiter/cursor/limit, plus filters and a sort. */
export interface CatalogQuery {
  prefix: string
  delimiter?: string
  cursor?: string
  limit?: number
  sort?: Sort
  order?: Order
  /** Content types, with wildcards (`image/*`), any of which matches. */
  types?: string[]
  minSize?: number
  maxSize?: number
  /** Images at least this wide or high (displayed size, as probed at upload). */
  minWidth?: number
  minHeight?: number
  /** ISO times: last modified at or after, and before. */
  modifiedAfter?: string
  modifiedBefore?: string
  /** The key contains this text (case-insensitive for ASCII letters). */
  q?: string
  /** The name (the key after its last `/`) contains this text (case-insensitive for ASCII letters). */
  name?: string
}

/** One listed object, with what the index knows besides S3's fields. */
export interface IndexedSummary {
  key: string
  size: number
  etag: string
  lastModified: Date
  contentType: string
  sha256?: string
  /** An image's displayed size and ThumbHash, when it was probed at upload. */
  image?: { width: number; height: number; thumbhash: string }
}

export interface IndexPage {
  objects: IndexedSummary[]
  prefixes: string[]
  cursor?: string
}

/** Where a page starts: after a key (and its sort value), or after every key under a folded prefix. */
interface Position {
  sort: Sort
  order: Order
  key: string
  /** The sort column's value of `key` (size, or modification time). */
  value?: number | string
  /** `key` is a folded prefix: skip every key under it. */
  folded?: boolean
}

function invalid(message: string): StorageError {
  return new StorageError('InvalidArgument', message)
}

function encodeCursor(position: Position): string {
  const { sort, order, key, value, folded } = position
  return Buffer.from(JSON.stringify([sort, order, key, value ?? null, folded ? 1 : 0])).toString('base64url')
}

function decodeCursor(cursor: string, sort: Sort, order: Order): Position {
  try {
    const [s, o, key, value, folded] = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    ) as unknown[]
    if (s === sort && o === order && typeof key === 'string') {
      const position: Position = { sort, order, key, folded: folded === 1 }
      if (sort === 'name') return position
      if (sort === 'size' && typeof value === 'number' && Number.isSafeInteger(value))
        return { ...position, value }
      if (sort === 'modified' && typeof value === 'string' && !Number.isNaN(Date.parse(value)))
        return { ...position, value }
    }
  } catch {
    // any malformed cursor gets the same answer
  }
  throw invalid('the cursor is not one this listing returned (cursors are bound to their sort and order)')
}

/**
 * The smallest string above every string that starts with `prefix`, in code point order (which is
 * UTF-8 byte order, the order of the index's keys): the prefix with its last code point incremented.
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = [...prefix]
  while (points.length > 0) {
    const last = points.pop() as string
    let next = (last.codePointAt(0) as number) + 1
    if (next === 0xd800) next = 0xe000
    if (next <= 0x10ffff) return points.join('') + String.fromCodePoint(next)
  }
  return undefined
}

/** `LIKE` pattern text matching `text` literally (with `\` as the escape character). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

const COLUMN = { size: 'size', modified: 'updated_at' } as const

/** Reads pages of a bucket's objects from the index, with keyset cursors (never OFFSET). */
export class CatalogListing {
  readonly #db: Kysely<Database>
  readonly #postgres: boolean

  constructor(db: Kysely<Database>) {
    this.#db = db
    this.#postgres = isPostgres(db as Kysely<unknown>)
  }

  async list(bucket: string, query: CatalogQuery): Promise<IndexPage> {
    const sort = query.sort ?? 'name'
    const order = query.order ?? 'asc'
    const limit = query.limit ?? MAX_LIST_LIMIT
    if (query.delimiter !== undefined && query.delimiter !== '' && (sort !== 'name' || order !== 'asc')) {
      throw invalid('a delimiter folds keys in name order: use it with sort=name and order=asc')
    }
    let position = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort, order)
    const page: IndexPage = { objects: [], prefixes: [] }
    const delimiter = query.delimiter === '' ? undefined : query.delimiter
    const foldOf = (key: string): string | undefined => {
      if (delimiter === undefined) return undefined
      const cut = key.indexOf(delimiter, query.prefix.length)
      return cut === -1 ? undefined : key.slice(0, cut + delimiter.length)
    }
    let last: Position | undefined
    // Rows come in batches; the batch after a folded prefix seeks past the prefix's keys.
    for (;;) {
      const want = limit - page.objects.length - page.prefixes.length
      const batch = await this.#rows(bucket, query, sort, order, position, want + 1)
      for (const row of batch) {
        const folded = foldOf(row.key)
        if (folded !== undefined && last?.folded && last.key === folded) continue
        if (last !== undefined && page.objects.length + page.prefixes.length === limit) {
          page.cursor = encodeCursor(last)
          return page
        }
        if (folded !== undefined) {
          page.prefixes.push(folded)
          last = { sort, order, key: folded, folded: true }
        } else {
          page.objects.push(summaryOf(row))
          last = { sort, order, key: row.key }
          if (sort !== 'name') last.value = sort === 'size' ? Number(row.size) : row.updated_at
        }
      }
      if (batch.length < want + 1) return page
      position = last
    }
  }

  #rows(
    bucket: string,
    query: CatalogQuery,
    sort: Sort,
    order: Order,
    position: Position | undefined,
    limit: number,
  ): Promise<Row[]> {
    let select = this.#db
      .selectFrom('objects')
      .select(['key', 'size', 'etag', 'updated_at', 'content_type', 'sha256', 'width', 'height', 'thumbhash'])
      .where('bucket', '=', bucket)
    select = this.#filter(select, query)
    if (position !== undefined) select = select.where((eb) => after(eb, position))
    const direction = order === 'asc' ? 'asc' : 'desc'
    if (sort !== 'name') select = select.orderBy(COLUMN[sort], direction)
    return select.orderBy('key', direction).limit(limit).execute()
  }

  #filter<O>(
    select: SelectQueryBuilder<Database, 'objects', O>,
    query: CatalogQuery,
  ): SelectQueryBuilder<Database, 'objects', O> {
    if (query.prefix !== '') {
      select = select.where('key', '>=', query.prefix)
      const end = prefixEnd(query.prefix)
      if (end !== undefined) select = select.where('key', '<', end)
    }
    // Expired objects leave listings at once, before the sweep deletes them.
    const now = new Date().toISOString()
    select = select.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    if (query.minSize !== undefined) select = select.where('size', '>=', query.minSize)
    if (query.maxSize !== undefined) select = select.where('size', '<=', query.maxSize)
    if (query.minWidth !== undefined) select = select.where('width', '>=', query.minWidth)
    if (query.minHeight !== undefined) select = select.where('height', '>=', query.minHeight)
    if (query.modifiedAfter !== undefined) select = select.where('updated_at', '>=', query.modifiedAfter)
    if (query.modifiedBefore !== undefined) select = select.where('updated_at', '<', query.modifiedBefore)
    if (query.q !== undefined && query.q !== '') {
      const pattern = `%${likeLiteral(query.q)}%`
      // SQLite's LIKE ignores ASCII case; Postgres needs ILIKE.
      select = select.where(
        this.#postgres ? sql<boolean>`key ilike ${pattern} escape '\\'` : like('key', pattern),
      )
    }
    if (query.name !== undefined && query.name !== '') {
      const pattern = `%${likeLiteral(query.name)}%`
      // The name is what follows the last `/`: rtrim strips every character but `/` from the end,
      // leaving the folder, whose length is where the name starts. The same SQL in both dialects.
      const name = sql<string>`substr(key, length(rtrim(key, replace(key, '/', ''))) + 1)`
      select = select.where(
        this.#postgres
          ? sql<boolean>`${name} ilike ${pattern} escape '\\'`
          : sql<boolean>`${name} like ${pattern} escape '\\'`,
      )
    }
    // Types match the essence (`text/plain` matches `text/plain;charset=UTF-8`); `*` or `*/*`: any.
    const types = (query.types ?? []).map((type) => type.toLowerCase())
    if (types.length > 0 && !types.some((type) => type === '*' || type === '*/*')) {
      select = select.where((eb) =>
        eb.or(
          types.map((type) =>
            type.endsWith('/*')
              ? like('media_type', `${likeLiteral(type.slice(0, -1))}%`)
              : eb('media_type', '=', essence(type)),
          ),
        ),
      )
    }
    return select
  }
}

/** `column LIKE pattern`, with `\` escaping (SQLite has no default escape character). */
function like(column: 'key' | 'media_type', pattern: string) {
  return sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`
}

/** The rows after a position, in its sort and order. */
function after(eb: ExpressionBuilder<Database, 'objects'>, position: Position) {
  const asc = position.order === 'asc'
  if (position.folded) {
    const end = prefixEnd(position.key)
    return end === undefined ? eb.val(false) : eb('key', '>=', end)
  }
  if (position.sort === 'name') return eb('key', asc ? '>' : '<', position.key)
  const column = COLUMN[position.sort]
  return eb(eb.refTuple(column, 'key'), asc ? '>' : '<', eb.tuple(position.value as never, position.key))
}

/** The columns a listing reads. */
type Row = Selectable<
  Pick<
    ObjectTable,
    'key' | 'size' | 'etag' | 'updated_at' | 'content_type' | 'sha256' | 'width' | 'height' | 'thumbhash'
  >
>

function summaryOf(row: Row): IndexedSummary {
  const summary: IndexedSummary = {
    key: row.key,
    size: Number(row.size),
    etag: row.etag,
    lastModified: new Date(row.updated_at),
    contentType: row.content_type,
  }
  if (row.sha256 !== null) summary.sha256 = row.sha256
  if (row.width != null && row.height != null && row.thumbhash != null) {
    summary.image = { width: Number(row.width), height: Number(row.height), thumbhash: row.thumbhash }
  }
  return summary
}
