import { Type } from 'typebox'

/** Methods a bucket's CORS rule may allow. */
export const CORS_METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE'] as const

/**
 * A bucket's CORS rule: the origins whose pages may call Coffer for it from a browser (on the
 * content origin, `/v1/buckets/NAME` and `/v1/uploads`), the methods and request headers they may
 * use (every method, any header when absent), and how long browsers keep a preflight's answer.
 */
export const CorsRuleJson = Type.Object(
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

/** A bucket and its policy, as JSON. */
export const BucketJson = Type.Object({
  name: Type.String(),
  public: Type.Boolean(),
  maxFileSize: Type.Optional(Type.Integer()),
  allowedTypes: Type.Optional(Type.Array(Type.String())),
  quotaBytes: Type.Optional(Type.Integer()),
  quotaObjects: Type.Optional(Type.Integer()),
  cors: Type.Optional(CorsRuleJson),
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

/** The list of buckets the caller may see. */
export const BucketListJson = Type.Object({ buckets: Type.Array(BucketJson) })
