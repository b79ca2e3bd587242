import type { ColumnType, Generated } from 'kysely'

/**
 * The index's tables, as Kysely sees them. Dates are ISO-8601 text and flags are 0/1 integers, so
 * that one migration set means the same on SQLite and Postgres; `bigint` columns may come back from
 * Postgres as strings, which the stores convert.
 */
export interface BucketTable {
  name: string
  /** 1 when anyone may read the bucket's objects. */
  public: number
  max_file_size: number | string | null
  /** JSON array of type patterns (`image/*`), or null for any type. */
  allowed_types: string | null
  quota_bytes: number | string | null
  quota_objects: number | string | null
  /** JSON of the bucket's CORS rule (`CorsRule`), or null: no other origin allowed. */
  cors: string | null
  /** Which renders the bucket answers: `variants`, `any` or `none`; null for the default (`any`). */
  renders: Optional<string>
  /** JSON object of named variants (`{"thumb":"w=64,h=64"}`), or null. */
  variants: Optional<string>
  /** 1 when uploaded images lose their EXIF, GPS and XMP before they are stored. */
  strip_metadata: Optional<number>
  /** 1 when SVG sources may be rasterised. */
  allow_svg: Optional<number>
  /** Longest a share of the bucket may last, in seconds; null: 7 days. */
  max_share_seconds: Optional<number | string>
  /** Bytes and objects the index holds for the bucket, kept with every object row change. */
  used_bytes: Generated<number | string>
  used_objects: Generated<number | string>
  created_at: string
  updated_at: string
}

/** A nullable column that inserts may leave out (added by a later migration). */
type Optional<T> = ColumnType<T | null, T | null | undefined, T | null>

/** API keys; see `ApiKeyStore`. */
export interface ApiKeyTable {
  id: string
  name: string
  /** sha256 (hex) of the token; the token itself is never stored. */
  token_hash: string
  /** JSON array of scopes. */
  scopes: string
  created_at: string
  expires_at: string | null
  revoked_at: string | null
  /** When the key last authenticated a request, written at most once a minute (see `KeyUse`). */
  last_used_at: Optional<string>
}

/** Resumable (tus) uploads in progress; see `UploadSessionStore`. */
export interface UploadSessionTable {
  /** The tus upload id (also the staged file's name). */
  id: string
  bucket: string
  key: string
  /** `<kind>:<id>` of the credential that created the upload; only it may continue it. */
  owner: string
  /** The declared Upload-Length, or null while it is deferred. */
  length: number | string | null
  /** The content type the client declared in Upload-Metadata, if any. */
  content_type: string | null
  created_at: string
}

/** One object of a bucket, as Coffer last wrote or saw it; the store stays the source of truth. */
export interface ObjectTable {
  bucket: string
  key: string
  size: number | string
  etag: string
  sha256: string | null
  content_type: string
  /** The content type's essence (lower case, no parameters), which the type filter matches. */
  media_type: string
  /** `public` or `private`. */
  visibility: string
  /** JSON object of the user metadata. */
  metadata: string
  /** `<kind>:<id>` of the credential that wrote it; null when reconcile found it. */
  owner: string | null
  created_at: string
  /** The object's last-modified time. */
  updated_at: string
  /** When the object expires (ISO 8601, from its `expires-at` metadata), or null. */
  expires_at: ColumnType<string | null, string | null | undefined, string | null>
  /** An image's displayed width and height, and its ThumbHash (base64), when it was probed. */
  width: Optional<number>
  height: Optional<number>
  thumbhash: Optional<string>
  /** S3 object tags, a JSON array of `[key, value]` pairs; null when the object has none. */
  tags: Optional<string>
  /** The S3 checksum the writer declared, JSON `{ algorithm, type, value }`; null when none. */
  checksum: Optional<string>
  /** An object joined from parts: JSON array of `{ size, checksum? }`, in part order; else null. */
  parts: Optional<string>
}

/** Bytes and objects set aside for uploads in flight, so concurrent uploads cannot overshoot a quota. */
export interface ReservationTable {
  id: string
  bucket: string
  bytes: number | string
  objects: number
  /** A reservation left by a crashed process stops counting then. */
  expires_at: string
}

/** Traffic per day, bucket and key owner; written in batches. */
export interface UsageDailyTable {
  /** `YYYY-MM-DD` (UTC). */
  day: string
  bucket: string
  /** `<kind>:<id>`, or `anonymous`. */
  owner: string
  bytes_in: number | string
  bytes_out: number | string
  requests: number | string
}

/** The audit trail: one row per mutation. */
export interface AuditEventTable {
  /** ULID: time-ordered, so the trail pages by id. */
  id: string
  at: string
  /** `<kind>:<id>`, `anonymous`, `signed-url` or `system`. */
  actor: string
  /** The client's address. */
  ip: string | null
  /** `object.put`, `object.delete`, `object.copy`, `object.move`, `bucket.create`, … */
  action: string
  bucket: string | null
  key: string | null
  /** JSON with what else the action needs (the target of a move, a size). */
  detail: string | null
}

/** A prototype site: its live deploy (none until the first deploy) and who may open it. */
export interface SiteTable {
  name: string
  /** 1: anyone may open it; 0: only with a preview link. */
  public: number
  current_deploy: string | null
  created_at: string
  updated_at: string
}

/** One immutable deploy of a site; its files are under `sites/<site>/<id>/` in `prototypes`. */
export interface SiteDeployTable {
  site: string
  id: string
  files: number
  bytes: number | string
  /** 1 when unknown paths answer with the deploy's index.html (a single-page app). */
  spa: number
  created_at: string
}

/**
 * A store write under way (see `WriteIntents`): written before the store commits, removed with the
 * index row that follows it; what a crash leaves here is what a restart repairs.
 */
export interface WriteIntentTable {
  /** ULID. */
  id: string
  /** The writing instance (one id per data dir): a start resolves only its own. */
  instance: string
  bucket: string
  /** The key written, or with `prefix` 1 the prefix of a delete by prefix. */
  key: string
  prefix: number
  created_at: string
}

/**
 * Rendered variants kept in the store under `.coffer/renders/`: one row per stored render, for the
 * cache's byte bound (least recently used first) and for dropping a source's renders.
 */
export interface RenderTable {
  /** Digest of the source's bucket, key and etag and the canonical transform and format. */
  id: string
  bucket: string
  key: string
  source_etag: string
  size: number | string
  content_type: string
  created_at: string
  /** Last time the render was served, updated at most once a minute. */
  used_at: string
}

/** The whole schema. */
/** S3 credentials of API keys; see `S3CredentialStore`. */
export interface S3CredentialTable {
  /** The S3 access key id (`CFR...`), public. */
  access_key_id: string
  /** The API key whose scopes the credential carries, and whose revocation ends it. */
  key_id: string
  /** The secret access key, sealed (AES-256-GCM under a key derived from the signing secret). */
  secret_sealed: string
  created_at: string
}

/** S3 multipart uploads in progress; see `MultipartUploadStore`. */
export interface MultipartUploadTable {
  /** The store's upload id. */
  upload_id: string
  bucket: string
  key: string
  /** `<kind>:<id>` of the credential that started the upload. */
  owner: string
  /** The type the object will have, decided at the start. */
  content_type: string
  created_at: string
  /** When the last part arrived: the sweep removes uploads idle since before its cutoff. */
  updated_at: string
  /** Bytes of the parts sent so far (a part sent again counts again): what the upload holds staged. */
  staged_bytes: Generated<number | string>
  /** The S3 checksum algorithm (`crc32`, …) and type (`COMPOSITE`, `FULL_OBJECT`) it was started with. */
  checksum_algorithm: Optional<string>
  checksum_type: Optional<string>
  /** The tags the object gets at completion, JSON `[key, value]` pairs; null for none. */
  tags: Optional<string>
}

/** The checksum each part of an upload in progress declared (`MultipartUploadStore`). */
export interface MultipartPartTable {
  upload_id: string
  part_number: number
  /** The part's etag when its checksum was recorded: a part sent again replaces both. */
  etag: string
  /** Base64, of the upload's algorithm. */
  checksum: string
}

/** A share: a link to one object that refers to this record; see `ShareStore`. */
export interface ShareTable {
  /** Random, 128 bits (base64url); the link carries it with its MAC under the signing secret. */
  id: string
  bucket: string
  key: string
  /** `<kind>:<id>` of the credential that made it; the share dies with an API key's revoke. */
  created_by: string
  /** The API key's name (a JWT's id) when it was made: shares are listed by it. */
  created_by_name: string
  created_at: string
  expires_at: string
  /** Most downloads, or null for any number until it expires. */
  max_downloads: number | null
  /** Responses that started at the first byte. */
  downloads: Generated<number>
  /** Bytes answered so far (each response's length, charged before it starts). */
  bytes_served: Generated<number | string>
  revoked_at: string | null
}

export interface Database {
  shares: ShareTable
  sites: SiteTable
  site_deploys: SiteDeployTable
  buckets: BucketTable
  s3_credentials: S3CredentialTable
  api_keys: ApiKeyTable
  upload_sessions: UploadSessionTable
  multipart_uploads: MultipartUploadTable
  multipart_parts: MultipartPartTable
  objects: ObjectTable
  reservations: ReservationTable
  usage_daily: UsageDailyTable
  audit_events: AuditEventTable
  write_intents: WriteIntentTable
  renders: RenderTable
}
