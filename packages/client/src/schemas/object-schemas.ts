import { Type } from 'typebox'

// The JSON the API answers about objects. The server validates and documents its answers with these
// schemas, and the client's types are derived from them, so the two cannot drift apart.

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

/** One page of a listing; `cursor` is there when more pages follow. */
export const ListPageJson = Type.Object({
  objects: Type.Array(SummaryJson),
  prefixes: Type.Array(Type.String()),
  cursor: Type.Optional(Type.String()),
})

/** The answer to a batch delete: what went, and each key that could not go with its error code. */
export const DeleteResultJson = Type.Object({
  deleted: Type.Array(Type.String()),
  errors: Type.Array(Type.Object({ key: Type.String(), code: Type.String(), message: Type.String() })),
})

/** A signed URL (download, upload, render or site preview) and when it stops working. */
export const SignedUrlJson = Type.Object({
  url: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
})

/** Signed render URLs for many keys of a bucket, one transform sealed in each, and their expiry. */
export const RenderUrlsJson = Type.Object({
  urls: Type.Array(Type.Object({ key: Type.String(), url: Type.String() })),
  expiresAt: Type.String({ format: 'date-time' }),
})

/** A short link that downloads objects and folders as one zip: what it holds, and until when it works. */
export const ZipLinkJson = Type.Object({
  url: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  files: Type.Integer(),
  bytes: Type.Integer(),
})
