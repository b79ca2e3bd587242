import { StorageError } from '@coffer/core'
import type { Kysely, Selectable, Updateable } from 'kysely'
import type { BucketTable, Database } from '../../db/schema.ts'
import { Recent } from '../../support/recent.ts'
import { type CorsRule, checkCorsRule, corsRuleOf } from './cors-rule.ts'

/** S3's bucket names: 3 to 63 lower-case letters, digits and hyphens, starting and ending alphanumeric. */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/

/** What a bucket allows. */
export interface BucketPolicy {
  /** Anyone may read its objects, without credentials. */
  public: boolean
  /** Largest object, in bytes; uploads stop at the first byte over it. */
  maxFileSize?: number
  /** Content types allowed, with wildcards (`image/*`); any type when absent. */
  allowedTypes?: string[]
  /** Most bytes the bucket may hold; writes that would pass it fail with `QuotaExceeded`. */
  quotaBytes?: number
  /** Most objects the bucket may hold. */
  quotaObjects?: number
  /** Which other origins' pages may call Coffer for this bucket; none when absent. */
  cors?: CorsRule
  /**
   * Which renders anonymous callers may ask for: any transform, only the named `variants`, or none
   * (which also refuses them to credentials and signed URLs). Default `any`.
   */
  renders?: RenderMode
  /** Named transforms (`{ thumb: 'w=64,h=64' }`), asked for as `?variant=thumb`. */
  variants?: Record<string, string>
  /** Uploaded images lose their EXIF, GPS and XMP before they are stored. */
  stripMetadata?: boolean
  /** SVG sources may be rasterised (librsvg); off by default. */
  allowSvg?: boolean
  /** Longest a share link may last, in seconds; 7 days (the longest signed URL) when absent. */
  maxShareSeconds?: number
}

/** See `BucketPolicy.renders`. */
export type RenderMode = 'variants' | 'any' | 'none'

/** A bucket as the API shows it. */
export interface Bucket extends BucketPolicy {
  name: string
  /** Bytes and objects the index counts in the bucket. */
  usedBytes: number
  usedObjects: number
  createdAt: string
  updatedAt: string
}

/** A change to a policy: absent fields stay, `null` clears a limit. */
export interface BucketPatch {
  public?: boolean
  maxFileSize?: number | null
  allowedTypes?: string[] | null
  quotaBytes?: number | null
  quotaObjects?: number | null
  cors?: CorsRule | null
  renders?: RenderMode | null
  variants?: Record<string, string> | null
  stripMetadata?: boolean | null
  allowSvg?: boolean | null
  maxShareSeconds?: number | null
}

/** Refuses a bucket name that breaks the rule, in a message that names the rule. */
export function checkBucketName(name: string): string {
  if (!BUCKET_NAME.test(name)) {
    throw new StorageError(
      'InvalidArgument',
      'bucket names are 3 to 63 lower-case letters, digits and "-", starting and ending with a letter or digit',
    )
  }
  return name
}

/**
 * A row's allowed types. One unreadable row (written by hand, or by a bug) must not fail every
 * listing of buckets: it reads as "no type allowed", which refuses uploads rather than opening the
 * bucket to every type, until a PATCH sets the types again.
 */
function allowedTypesOf(text: string): string[] {
  try {
    const types: unknown = JSON.parse(text)
    if (Array.isArray(types) && types.every((t) => typeof t === 'string')) return types
  } catch {
    // falls through: unreadable
  }
  return []
}

/** A row's variants; an unreadable one reads as none, so `?variant=` fails rather than guesses. */
function variantsOf(text: string): Record<string, string> {
  try {
    const variants: unknown = JSON.parse(text)
    if (typeof variants === 'object' && variants !== null && !Array.isArray(variants)) {
      const entries = Object.entries(variants).filter(([, spec]) => typeof spec === 'string')
      return Object.fromEntries(entries) as Record<string, string>
    }
  } catch {
    // falls through: unreadable
  }
  return {}
}

function renderModeOf(text: string): RenderMode {
  return text === 'variants' || text === 'none' ? text : 'any'
}

function toBucket(row: Selectable<BucketTable>): Bucket {
  const bucket: Bucket = {
    name: row.name,
    public: Number(row.public) === 1,
    usedBytes: Number(row.used_bytes),
    usedObjects: Number(row.used_objects),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
  if (row.max_file_size !== null) bucket.maxFileSize = Number(row.max_file_size)
  if (row.allowed_types !== null) bucket.allowedTypes = allowedTypesOf(row.allowed_types)
  if (row.quota_bytes !== null) bucket.quotaBytes = Number(row.quota_bytes)
  if (row.quota_objects !== null) bucket.quotaObjects = Number(row.quota_objects)
  const cors = corsRuleOf(row.cors ?? null)
  if (cors !== undefined) bucket.cors = cors
  if (row.renders != null) bucket.renders = renderModeOf(row.renders)
  if (row.variants != null) bucket.variants = variantsOf(row.variants)
  if (row.strip_metadata != null) bucket.stripMetadata = Number(row.strip_metadata) === 1
  if (row.allow_svg != null) bucket.allowSvg = Number(row.allow_svg) === 1
  if (row.max_share_seconds != null) bucket.maxShareSeconds = Number(row.max_share_seconds)
  return bucket
}

function notFound(name: string): StorageError {
  return new StorageError('NotFound', `no bucket "${name}"`)
}

/**
 * The buckets and their policies, in the index (SQLite or Postgres).
 *
 * `recent` serves requests from buckets read in the last `cacheTtl` ms (default 5 s), so that a small
 * GET does not query the index for its bucket's policy: a change through this store applies at once,
 * one written by another process sharing the index within `cacheTtl`. `find` and `get` always read
 * the index (their usage counters are current).
 */
export class BucketStore {
  readonly #db: Kysely<Database>
  readonly #recent: Recent<Bucket>

  constructor(db: Kysely<Database>, options: { cacheTtl?: number } = {}) {
    this.#db = db
    this.#recent = new Recent(options.cacheTtl)
  }

  /**
   * The bucket as read at most `cacheTtl` ms ago, for its policy (its counters may be that old), or
   * undefined when there is none of that name (never cached: a new bucket is found at once).
   */
  recent(name: string): Promise<Bucket | undefined> {
    return this.#recent.get(name, () => this.find(name))
  }

  /** `recent`, or `NotFound`. */
  async getRecent(name: string): Promise<Bucket> {
    const bucket = await this.recent(name)
    if (!bucket) throw notFound(name)
    return bucket
  }

  async list(): Promise<Bucket[]> {
    const rows = await this.#db.selectFrom('buckets').selectAll().orderBy('name').execute()
    return rows.map(toBucket)
  }

  /** The bucket, or undefined when there is none of that name. */
  async find(name: string): Promise<Bucket | undefined> {
    if (!BUCKET_NAME.test(name)) return undefined
    const row = await this.#db.selectFrom('buckets').selectAll().where('name', '=', name).executeTakeFirst()
    return row === undefined ? undefined : toBucket(row)
  }

  /** Throws `NotFound`. */
  async get(name: string): Promise<Bucket> {
    const bucket = await this.find(name)
    if (!bucket) throw notFound(name)
    return bucket
  }

  /** Throws `AlreadyExists` when the name is taken. */
  async create(name: string, policy: BucketPolicy): Promise<Bucket> {
    const now = new Date().toISOString()
    const row = {
      name: checkBucketName(name),
      public: policy.public ? 1 : 0,
      max_file_size: policy.maxFileSize ?? null,
      allowed_types: policy.allowedTypes === undefined ? null : JSON.stringify(policy.allowedTypes),
      quota_bytes: policy.quotaBytes ?? null,
      quota_objects: policy.quotaObjects ?? null,
      cors: policy.cors === undefined ? null : JSON.stringify(checkCorsRule(policy.cors)),
      renders: policy.renders ?? null,
      variants: policy.variants === undefined ? null : JSON.stringify(policy.variants),
      strip_metadata: policy.stripMetadata === undefined ? null : Number(policy.stripMetadata),
      allow_svg: policy.allowSvg === undefined ? null : Number(policy.allowSvg),
      max_share_seconds: policy.maxShareSeconds ?? null,
      created_at: now,
      updated_at: now,
    }
    // ON CONFLICT DO NOTHING makes a concurrent create of the same name lose cleanly on both databases.
    const result = await this.#db
      .insertInto('buckets')
      .values(row)
      .onConflict((conflict) => conflict.column('name').doNothing())
      .executeTakeFirst()
    if (result.numInsertedOrUpdatedRows === 0n) {
      throw new StorageError('AlreadyExists', `a bucket named "${name}" already exists`)
    }
    return toBucket({ ...row, used_bytes: 0, used_objects: 0 })
  }

  /** Changes a bucket's policy. Throws `NotFound`. */
  async update(name: string, patch: BucketPatch): Promise<Bucket> {
    const changes: Updateable<BucketTable> = {
      updated_at: new Date().toISOString(),
    }
    if (patch.public !== undefined) changes.public = patch.public ? 1 : 0
    if (patch.maxFileSize !== undefined) changes.max_file_size = patch.maxFileSize
    if (patch.quotaBytes !== undefined) changes.quota_bytes = patch.quotaBytes
    if (patch.quotaObjects !== undefined) changes.quota_objects = patch.quotaObjects
    if (patch.cors !== undefined)
      changes.cors = patch.cors === null ? null : JSON.stringify(checkCorsRule(patch.cors))
    if (patch.renders !== undefined) changes.renders = patch.renders
    if (patch.variants !== undefined) {
      changes.variants = patch.variants === null ? null : JSON.stringify(patch.variants)
    }
    if (patch.stripMetadata !== undefined) {
      changes.strip_metadata = patch.stripMetadata === null ? null : Number(patch.stripMetadata)
    }
    if (patch.allowSvg !== undefined)
      changes.allow_svg = patch.allowSvg === null ? null : Number(patch.allowSvg)
    if (patch.maxShareSeconds !== undefined) changes.max_share_seconds = patch.maxShareSeconds
    if (patch.allowedTypes !== undefined) {
      changes.allowed_types = patch.allowedTypes === null ? null : JSON.stringify(patch.allowedTypes)
    }
    const result = await this.#db
      .updateTable('buckets')
      .set(changes)
      .where('name', '=', name)
      .executeTakeFirst()
    this.#recent.forget(name)
    if (result.numUpdatedRows === 0n) throw notFound(name)
    return this.get(name)
  }

  /** Removes a bucket's record (its objects are the caller's concern). Throws `NotFound`. */
  async delete(name: string): Promise<void> {
    const result = await this.#db.deleteFrom('buckets').where('name', '=', name).executeTakeFirst()
    this.#recent.forget(name)
    if (result.numDeletedRows === 0n) throw notFound(name)
  }
}
