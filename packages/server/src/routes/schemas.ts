import {
  CorsRuleJson,
  type ImageJson,
  type ObjectJson as ObjectSchema,
  ProblemSchema,
  type SummaryJson,
} from '@coffer/client/schemas'
import type { ObjectInfo, ObjectSummary } from '@coffer/core'
import { type Static, Type } from 'typebox'

// JSON schemas of the API's bodies: they validate requests and document the API at /docs. What the
// API answers is declared in `@coffer/client/schemas`, shared with the client, which derives its types.
export {
  ApiKeyJson,
  ApiKeyListJson,
  AuditEventJson,
  AuditPageJson,
  BucketJson,
  BucketListJson,
  BucketUsageJson,
  CreatedKeyJson,
  DeleteResultJson,
  DeployedJson,
  DeployJson,
  ExportJson,
  ImageJson,
  ListPageJson,
  ObjectJson,
  ProblemSchema,
  RenderUrlsJson,
  ScopeSchema,
  ServiceUsageJson,
  ShareJson,
  ShareListJson,
  SignedUrlJson,
  SiteDeploysJson,
  SiteJson,
  SiteListJson,
  SummaryJson,
  UsageSeriesJson,
  WhoamiJson,
  ZipLinkJson,
} from '@coffer/client/schemas'

/** Path parameters of bucket routes. */
export const BucketParams = Type.Object({ bucket: Type.String({ description: 'Bucket name' }) })
/** Path parameters of object routes: the bucket and the key (the wildcard). */
export const ObjectParams = Type.Object({
  bucket: Type.String({ description: 'Bucket name' }),
  '*': Type.String({ description: 'Object key, each segment percent-encoded' }),
})

/** An `ObjectInfo` as JSON. */
export function objectJson(
  info: ObjectInfo & { image?: Static<typeof ImageJson> },
): Static<typeof ObjectSchema> {
  const json: Static<typeof ObjectSchema> = {
    key: info.key,
    size: info.size,
    etag: info.etag,
    contentType: info.contentType,
    lastModified: info.lastModified.toISOString(),
    metadata: info.metadata,
    visibility: info.visibility,
  }
  if (info.checksum.sha256 !== undefined) json.sha256 = info.checksum.sha256
  if (info.image !== undefined) json.image = info.image
  return json
}

/** A listed object as JSON. */
export function summaryJson(
  summary: ObjectSummary & { contentType?: string; sha256?: string },
): Static<typeof SummaryJson> {
  return { ...summary, lastModified: summary.lastModified.toISOString() }
}

/**
 * The largest count or size a request may give: beyond 2^53 a number is no longer exact in
 * JavaScript, and node:sqlite refuses to read such an integer back (every read of its row failed).
 */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER

/** A whole number from `minimum` to `MAX_COUNT`. */
export function Count(options: { minimum: number; description?: string }) {
  return Type.Integer({ maximum: MAX_COUNT, ...options })
}

/** The fields of a bucket policy, for the create and patch bodies. */
export const PolicyFields = {
  public: Type.Boolean(),
  maxFileSize: Count({ minimum: 0, description: 'Largest object in bytes' }),
  allowedTypes: Type.Array(Type.String({ pattern: '^[\\w.+*-]+(/[\\w.+*-]+)?$' }), {
    maxItems: 100,
    description: 'Allowed content types, with wildcards (image/*)',
  }),
  quotaBytes: Count({ minimum: 0, description: 'Most bytes the bucket may hold' }),
  quotaObjects: Count({ minimum: 0, description: 'Most objects the bucket may hold' }),
  renders: Type.Enum(['any', 'variants', 'none'], {
    description: 'Renders anonymous callers may ask for (none: no renders at all); default any',
  }),
  variants: Type.Record(
    Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,31}$' }),
    Type.String({ maxLength: 200 }),
    {
      maxProperties: 32,
      description: 'Named renders, as w=64,h=64 (see the render parameters)',
    },
  ),
  stripMetadata: Type.Boolean({ description: 'Uploaded images lose EXIF, GPS and XMP' }),
  allowSvg: Type.Boolean({ description: 'SVG sources may be rasterised' }),
  cors: CorsRuleJson,
  maxShareSeconds: Type.Integer({
    minimum: 900,
    maximum: 366 * 24 * 3600,
    description: 'Longest a share link of the bucket may last, in seconds (default 7 days; up to 366 days)',
  }),
}

/** Error responses every route may give, for the OpenAPI document. */
export const ERROR_RESPONSES = { '4xx': ProblemSchema, '5xx': ProblemSchema } as const
