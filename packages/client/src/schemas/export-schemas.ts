import { Type } from 'typebox'

/** A finished export: where it is stored and a signed link valid until it expires. */
export const ExportJson = Type.Object({
  key: Type.String({ description: 'The export\'s key in the "exports" bucket' }),
  size: Type.Number(),
  contentType: Type.String(),
  filename: Type.String({ description: "The download name, with the format's extension" }),
  rows: Type.Number(),
  url: Type.String({ description: 'A signed download link on the content origin' }),
  expiresAt: Type.String({ description: 'When the export (and its link) expires' }),
})
