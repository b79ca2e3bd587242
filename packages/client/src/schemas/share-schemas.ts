import { Type } from 'typebox'

/** A share link: a record the link refers to, which counts its downloads and can be revoked. */
export const ShareJson = Type.Object({
  id: Type.String(),
  bucket: Type.String(),
  key: Type.String(),
  url: Type.String({ description: 'The link, on the content origin' }),
  createdBy: Type.String({ description: '<kind>:<id> of the credential that made it' }),
  createdByName: Type.String({ description: "That credential's name" }),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  downloads: Type.Integer(),
  maxDownloads: Type.Optional(Type.Integer()),
})

/** A list of share links. */
export const ShareListJson = Type.Object({ shares: Type.Array(ShareJson) })
