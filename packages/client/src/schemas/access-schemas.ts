import { Type } from 'typebox'

/** What a scope may allow, in the order the docs list them. */
export const PERMISSIONS = ['read', 'write', 'delete', 'list', 'sign', 'admin'] as const

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

/** An API key as listed (never its token). */
export const ApiKeyJson = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scopes: Type.Array(ScopeSchema),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  revokedAt: Type.Optional(Type.String({ format: 'date-time' })),
  lastUsedAt: Type.Optional(
    Type.String({ format: 'date-time', description: 'Last request it authenticated (to the minute)' }),
  ),
})

/** The list of API keys. */
export const ApiKeyListJson = Type.Object({ keys: Type.Array(ApiKeyJson) })

/** A new API key: its token (and S3 secret) are in this answer only. */
export const CreatedKeyJson = Type.Object({
  key: ApiKeyJson,
  token: Type.String(),
  s3: Type.Optional(
    Type.Object(
      { accessKeyId: Type.String(), secretAccessKey: Type.String() },
      { description: 'For the S3 endpoint; the secret is in this response only' },
    ),
  ),
})

/** Who a credential is and what it may do. */
export const WhoamiJson = Type.Object({
  kind: Type.Union([Type.Literal('key'), Type.Literal('jwt')]),
  id: Type.String({ description: "The API key's id, or the JWT's issuer and subject" }),
  name: Type.String({ description: "The API key's name; a JWT's issuer and subject" }),
  scopes: Type.Array(ScopeSchema),
  expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
})
