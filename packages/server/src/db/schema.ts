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
  created_at: string
  updated_at: string
}

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

/** The whole schema. */
export interface Database {
  buckets: BucketTable
  api_keys: ApiKeyTable
  upload_sessions: UploadSessionTable
}
