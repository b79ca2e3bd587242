import { type NormalizedKey, StorageError } from '@coffer/core'
import type { Kysely, Selectable } from 'kysely'
import type { ObjectTag } from '../../catalog/object-tags.ts'
import type { Database } from '../../db/schema.ts'
import type { StagingLimits } from './staging-ledger.ts'

/** An S3 multipart upload in progress, as the index knows it. */
export interface MultipartUpload {
  uploadId: string
  bucket: string
  key: NormalizedKey
  /** `ownerOf(principal)` of the credential that started it. */
  owner: string
  contentType: string
  createdAt: string
  /** The checksum the object is to get (S3's `x-amz-checksum-algorithm` and `-type` at the start). */
  checksum?: { algorithm: string; type: 'FULL_OBJECT' | 'COMPOSITE' }
  /** The tags the object gets at completion (`x-amz-tagging` at the start). */
  tags?: readonly ObjectTag[]
}

/** The checksum a part declared, and the etag of the part it was declared with. */
export interface PartChecksum {
  etag: string
  checksum: string
}

/** Where a page of `list` starts: after a key, or after one upload of that key. */
export interface UploadListStart {
  prefix: string
  keyMarker?: string
  uploadIdMarker?: string
  limit: number
}

function toUpload(row: Selectable<Database['multipart_uploads']>): MultipartUpload {
  return {
    uploadId: row.upload_id,
    bucket: row.bucket,
    key: row.key as NormalizedKey,
    owner: row.owner,
    contentType: row.content_type,
    createdAt: row.created_at,
    ...(row.checksum_algorithm === null
      ? {}
      : {
          checksum: {
            algorithm: row.checksum_algorithm,
            type: row.checksum_type === 'FULL_OBJECT' ? 'FULL_OBJECT' : 'COMPOSITE',
          },
        }),
    ...(row.tags === null ? {} : { tags: JSON.parse(row.tags) as ObjectTag[] }),
  }
}

/**
 * The multipart uploads in progress (table `multipart_uploads`): who started each, where it goes, how
 * many bytes its parts hold and when a part last came. The limits are tus uploads' (`StagingLimits`):
 * uploads open per credential, and bytes staged in all.
 */
export class MultipartUploadStore {
  /** Bytes the parts of all uploads in progress may hold together (they are on the store's disk). */
  readonly stagingBytes: number
  readonly #db: Kysely<Database>
  readonly #perOwner: number

  constructor(db: Kysely<Database>, limits: Partial<StagingLimits> = {}) {
    this.#db = db
    this.#perOwner = limits.sessionsPerCredential ?? Number.POSITIVE_INFINITY
    this.stagingBytes = limits.totalBytes ?? Number.POSITIVE_INFINITY
  }

  /** Throws `AccessDenied` when `owner` has its most uploads open already. */
  async checkRoom(owner: string): Promise<void> {
    const row = await this.#db
      .selectFrom('multipart_uploads')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('owner', '=', owner)
      .executeTakeFirst()
    const open = Number(row?.n ?? 0)
    if (open >= this.#perOwner) {
      throw new StorageError(
        'AccessDenied',
        `this credential has ${open} multipart uploads open, the most it may have; complete or abort one`,
      )
    }
  }

  async add(upload: MultipartUpload): Promise<void> {
    await this.#db
      .insertInto('multipart_uploads')
      .values({
        upload_id: upload.uploadId,
        bucket: upload.bucket,
        key: upload.key,
        owner: upload.owner,
        content_type: upload.contentType,
        created_at: upload.createdAt,
        updated_at: upload.createdAt,
        checksum_algorithm: upload.checksum?.algorithm ?? null,
        checksum_type: upload.checksum?.type ?? null,
        tags: upload.tags === undefined || upload.tags.length === 0 ? null : JSON.stringify(upload.tags),
      })
      .execute()
  }

  /** The upload `uploadId` of `key` in `bucket`; `NotFound` (S3's NoSuchUpload) for any other. */
  async get(bucket: string, key: NormalizedKey, uploadId: string): Promise<MultipartUpload> {
    const row = await this.#db
      .selectFrom('multipart_uploads')
      .selectAll()
      .where('upload_id', '=', uploadId)
      .executeTakeFirst()
    if (row === undefined || row.bucket !== bucket || row.key !== key) {
      throw new StorageError('NotFound', (name) => `no multipart upload in progress at "${name}"`, { key })
    }
    return toUpload(row)
  }

  /** Counts a part's bytes as staged, and marks the upload active now, so that the sweep leaves it. */
  async addPart(uploadId: string, bytes: number): Promise<void> {
    await this.#db
      .updateTable('multipart_uploads')
      .set((eb) => ({ staged_bytes: eb('staged_bytes', '+', bytes), updated_at: new Date().toISOString() }))
      .where('upload_id', '=', uploadId)
      .execute()
  }

  /** Records the checksum part `partNumber` declared, replacing one of a part sent before it. */
  async recordPart(uploadId: string, partNumber: number, part: PartChecksum): Promise<void> {
    await this.#db
      .insertInto('multipart_parts')
      .values({ upload_id: uploadId, part_number: partNumber, etag: part.etag, checksum: part.checksum })
      .onConflict((conflict) => conflict.columns(['upload_id', 'part_number']).doUpdateSet(part))
      .execute()
  }

  /** The checksums the parts of an upload declared, by part number. */
  async partChecksums(uploadId: string): Promise<Map<number, PartChecksum>> {
    const rows = await this.#db
      .selectFrom('multipart_parts')
      .select(['part_number', 'etag', 'checksum'])
      .where('upload_id', '=', uploadId)
      .execute()
    return new Map(rows.map((row) => [Number(row.part_number), { etag: row.etag, checksum: row.checksum }]))
  }

  /** Bytes the parts of every upload in progress hold, and those of the uploads into `bucket`. */
  async staged(bucket: string): Promise<{ all: number; inBucket: number }> {
    const row = await this.#db
      .selectFrom('multipart_uploads')
      .select((eb) => [
        eb.fn.sum<number | string | null>('staged_bytes').as('all'),
        eb.fn
          .sum<number | string | null>(
            eb.case().when('bucket', '=', bucket).then(eb.ref('staged_bytes')).else(0).end(),
          )
          .as('inBucket'),
      ])
      .executeTakeFirst()
    return { all: Number(row?.all ?? 0), inBucket: Number(row?.inBucket ?? 0) }
  }

  async remove(uploadId: string): Promise<void> {
    await this.#db.deleteFrom('multipart_parts').where('upload_id', '=', uploadId).execute()
    await this.#db.deleteFrom('multipart_uploads').where('upload_id', '=', uploadId).execute()
  }

  /** Uploads of a bucket under `prefix`, by key (UTF-8 byte order), then start time and id. */
  async list(bucket: string, start: UploadListStart): Promise<MultipartUpload[]> {
    // The keys under a prefix are one run in byte order, starting at the prefix itself.
    let query = this.#db
      .selectFrom('multipart_uploads')
      .selectAll()
      .where('bucket', '=', bucket)
      .where('key', '>=', start.prefix)
    const { keyMarker, uploadIdMarker } = start
    if (keyMarker !== undefined && uploadIdMarker !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb('key', '>', keyMarker),
          eb.and([eb('key', '=', keyMarker), eb('upload_id', '>', uploadIdMarker)]),
        ]),
      )
    } else if (keyMarker !== undefined) query = query.where('key', '>', keyMarker)
    const rows = await query.orderBy('key').orderBy('upload_id').limit(start.limit).execute()
    const past = rows.findIndex((row) => !row.key.startsWith(start.prefix))
    return (past === -1 ? rows : rows.slice(0, past)).map(toUpload)
  }

  /**
   * Removes the uploads idle since before `cutoff` from the index, and returns them, so that the
   * caller aborts them in the store (whose own sweep would take them too, later).
   */
  async sweep(cutoff: Date): Promise<MultipartUpload[]> {
    const rows = await this.#db
      .selectFrom('multipart_uploads')
      .selectAll()
      .where('updated_at', '<', cutoff.toISOString())
      .limit(1000)
      .execute()
    const ids = rows.map((row) => row.upload_id)
    if (ids.length > 0) {
      await this.#db.deleteFrom('multipart_parts').where('upload_id', 'in', ids).execute()
      await this.#db.deleteFrom('multipart_uploads').where('upload_id', 'in', ids).execute()
    }
    return rows.map(toUpload)
  }
}
