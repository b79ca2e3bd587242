import type { ObjectInfo, ObjectSummary } from '@coffer/core'
import { type Static, Type } from 'typebox'
import { PERMISSIONS } from '../domain/auth/scopes.ts'
import { CORS_METHODS } from '../domain/buckets/cors-rule.ts'

// JSON schemas of the API's bodies: they validate requests and document the API at /docs.

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
  },
  { description: "An RFC 9457 problem document with Coffer's error code" },
)

/** Path parameters of bucket routes. */
export const BucketParams = Type.Object({ bucket: Type.String({ description: 'Bucket name' }) })
/** Path parameters of object routes: the bucket and the key (the wildcard). */
export const ObjectParams = Type.Object({
  bucket: Type.String({ description: 'Bucket name' }),
  '*': Type.String({ description: 'Object key, each segment percent-encoded' }),
})

/** An uploaded image's displayed size and ThumbHash placeholder (base64). */
export const ImageJson = Type.Object({
  width: Type.Integer(),
  height: Type.Integer(),
  thumbhash: Type.String(),
})

/** An object's description in JSON responses. */
export const ObjectJson = Type.Object({
  key: Type.String(),
  size: Type.Integer(),
  etag: Type.String(),
  contentType: Type.String(),
  lastModified: Type.String({ format: 'date-time' }),
  metadata: Type.Record(Type.String(), Type.String()),
  visibility: Type.String(),
  sha256: Type.Optional(Type.String()),
  image: Type.Optional(ImageJson),
})
/** An object's description, as JSON. */
export type ObjectJson = Static<typeof ObjectJson>

/** One listed object; the index adds its type and checksum. */
export const SummaryJson = Type.Object({
  key: Type.String(),
  size: Type.Integer(),
  etag: Type.String(),
  lastModified: Type.String({ format: 'date-time' }),
  contentType: Type.Optional(Type.String()),
  sha256: Type.Optional(Type.String()),
  image: Type.Optional(ImageJson),
})

/** An `ObjectInfo` as JSON. */
export function objectJson(info: ObjectInfo & { image?: Static<typeof ImageJson> }): ObjectJson {
  const json: ObjectJson = {
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

/** A scope of an API key or JWT. */
export const ScopeSchema = Type.Object(
  {
    bucket: Type.String({ description: 'A bucket name, or "*" for every bucket' }),
    prefix: Type.Optional(
      Type.String({
        description:
          'A folder: users/jose covers users/jose/… but not users/josephine/…; a trailing * makes it a plain string prefix; the whole bucket when empty',
      }),
    ),
    permissions: Type.Array(Type.Enum(PERMISSIONS), { minItems: 1 }),
  },
  { additionalProperties: false },
)

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
  cors: CorsSchema(),
  maxShareSeconds: Type.Integer({
    minimum: 900,
    maximum: 366 * 24 * 3600,
    description: 'Longest a share link of the bucket may last, in seconds (default 7 days; up to 366 days)',
  }),
}

/**
 * A bucket's CORS rule: the origins whose pages may call Coffer for it from a browser (on the
 * content origin, `/v1/buckets/NAME` and `/v1/uploads`), the methods and request headers they may
 * use (every method, any header when absent), and how long browsers keep a preflight's answer.
 */
function CorsSchema() {
  return Type.Object(
    {
      origins: Type.Array(Type.String({ maxLength: 300 }), {
        maxItems: 100,
        description: 'Origins (https://app.example.com) or * for any',
      }),
      methods: Type.Optional(
        Type.Array(
          Type.Union([
            Type.Literal('GET'),
            Type.Literal('HEAD'),
            Type.Literal('PUT'),
            Type.Literal('POST'),
            Type.Literal('PATCH'),
            Type.Literal('DELETE'),
          ]),
          { maxItems: CORS_METHODS.length },
        ),
      ),
      headers: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 })),
      maxAge: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400, description: 'Seconds' })),
    },
    { additionalProperties: false },
  )
}

/** A bucket and its policy, as JSON. */
export const BucketJson = Type.Object({
  name: Type.String(),
  public: Type.Boolean(),
  maxFileSize: Type.Optional(Type.Integer()),
  allowedTypes: Type.Optional(Type.Array(Type.String())),
  quotaBytes: Type.Optional(Type.Integer()),
  quotaObjects: Type.Optional(Type.Integer()),
  cors: Type.Optional(CorsSchema()),
  renders: Type.Optional(Type.String()),
  variants: Type.Optional(Type.Record(Type.String(), Type.String())),
  stripMetadata: Type.Optional(Type.Boolean()),
  allowSvg: Type.Optional(Type.Boolean()),
  maxShareSeconds: Type.Optional(Type.Integer()),
  usedBytes: Type.Optional(
    Type.Integer({ description: 'Bytes the bucket holds (for a scope on the whole bucket only)' }),
  ),
  usedObjects: Type.Optional(
    Type.Integer({ description: 'Objects the bucket holds (for a scope on the whole bucket only)' }),
  ),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})

/** Error responses every route may give, for the OpenAPI document. */
export const ERROR_RESPONSES = { '4xx': ProblemSchema, '5xx': ProblemSchema } as const
