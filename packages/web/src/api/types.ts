/** A bucket and its policy, as `GET /v1/buckets` answers. */
export interface Bucket {
  name: string
  public: boolean
  maxFileSize?: number
  allowedTypes?: string[]
  quotaBytes?: number
  quotaObjects?: number
  /** Renders anonymous callers may ask for: any transform, only the named variants, or none at all. */
  renders?: RenderMode
  /** Named renders, each as its parameters (`thumb: 'w=64,h=64'`). */
  variants?: Record<string, string>
  /** Whether SVG sources are rasterised (else they get no render). */
  allowSvg?: boolean
  /** Longest a share link may last, in seconds (7 days when absent). */
  maxShareSeconds?: number
  /** Objects the bucket holds (for a scope on the whole bucket only). */
  usedObjects?: number
  createdAt: string
  updatedAt: string
}

/** A bucket's `renders` policy; absent means `any`. */
export type RenderMode = 'any' | 'variants' | 'none'

/** An uploaded image's displayed size and ThumbHash placeholder (base64), as listings carry them. */
export interface ImageFacts {
  width: number
  height: number
  thumbhash: string
}

/** The policy fields an admin sets; null clears a limit (PATCH). */
export interface PolicyInput {
  public?: boolean
  maxFileSize?: number | null
  allowedTypes?: string[] | null
  quotaBytes?: number | null
  quotaObjects?: number | null
  /** Longest share link, in seconds; null: the service's 7 days. */
  maxShareSeconds?: number | null
}

/** One listed object. `sha256` and `contentType` only when the server's listing carries them. */
export interface ObjectSummary {
  key: string
  size: number
  etag: string
  lastModified: string
  sha256?: string
  contentType?: string
  /** Where the server probed the image on upload. */
  image?: ImageFacts
}

/** One page of a listing. */
export interface ListPage {
  objects: ObjectSummary[]
  prefixes: string[]
  cursor?: string
}

export type SortField = 'name' | 'size' | 'modified'
export type SortOrder = 'asc' | 'desc'

/** What a listing asks for; the filters are applied by the server when it knows them. */
export interface ListQuery {
  prefix: string
  delimiter?: string
  cursor?: string
  limit?: number
  sort?: SortField
  order?: SortOrder
  q?: string
  /** The name (after the last `/`) contains this text; with no delimiter, a search of every folder. */
  name?: string
  type?: string
}

/** A bucket's usage (`GET /v1/buckets/:bucket/usage`). */
export interface Usage {
  bytes: number
  objects: number
  quotaBytes?: number
  quotaObjects?: number
}

/** Usage with the bucket's quotas where the usage route does not carry them. */
export function withQuotas(usage: Usage, bucket: Bucket | undefined): Usage {
  const merged: Usage = { ...usage }
  const quotaBytes = usage.quotaBytes ?? bucket?.quotaBytes
  const quotaObjects = usage.quotaObjects ?? bucket?.quotaObjects
  if (quotaBytes !== undefined) merged.quotaBytes = quotaBytes
  if (quotaObjects !== undefined) merged.quotaObjects = quotaObjects
  return merged
}

/** What a HEAD of an object tells. */
export interface ObjectDetails {
  key: string
  size: number
  contentType: string
  etag: string
  lastModified: string
  metadata: Record<string, string>
  cacheControl?: string
  sha256?: string
}

/** A grant as `GET /v1/whoami` lists it. */
export interface Scope {
  bucket: string
  prefix?: string
  permissions: string[]
}

/** Who the credential is (`GET /v1/whoami`). */
export interface Whoami {
  kind: 'key' | 'jwt'
  id: string
  name: string
  scopes: Scope[]
  expiresAt?: string
}
