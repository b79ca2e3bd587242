import { StorageError } from '@coffer/core'
import { EXPORT_FORMATS, type ExportOptions } from '@coffer/exports'

/** The longest `options` document accepted, in characters. */
export const MAX_OPTIONS_LENGTH = 8192
/** An export's life when the request names none: 7 days, as long as a signed link can last. */
export const DEFAULT_EXPORT_EXPIRES_IN = 7 * 24 * 3600

const FIELDS = new Set(['format', 'filename', 'columns', 'title', 'expiresIn'])

/** What `POST /v1/exports` takes in its `options` query parameter. */
export type ExportRequest = Pick<ExportOptions, 'format' | 'filename' | 'columns' | 'title'> & {
  expiresIn: number
}

/**
 * Reads the `options` query parameter of `POST /v1/exports`: one JSON object (URL-encoded, so any
 * Unicode file name travels unharmed) with `format`, `filename`, and optionally `columns`, `title`,
 * `expiresIn`. Throws `InvalidArgument` for anything else; `createExport` checks the values.
 */
export function parseExportRequest(value: string | undefined): ExportRequest {
  if (value === undefined || value.length > MAX_OPTIONS_LENGTH) {
    throw new StorageError(
      'InvalidArgument',
      `options must be a JSON object of at most ${MAX_OPTIONS_LENGTH} characters`,
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch (error) {
    throw new StorageError('InvalidArgument', 'options is not valid JSON', { cause: error })
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StorageError('InvalidArgument', 'options must be a JSON object')
  }
  const unknown = Object.keys(parsed).filter((name) => !FIELDS.has(name))
  if (unknown.length > 0)
    throw new StorageError('InvalidArgument', `options has unknown fields: ${unknown.join(', ')}`)
  const options = parsed as Partial<ExportRequest>
  if (!EXPORT_FORMATS.includes(options.format as never)) {
    throw new StorageError('InvalidArgument', `format must be one of ${EXPORT_FORMATS.join(', ')}`)
  }
  if (typeof options.filename !== 'string')
    throw new StorageError('InvalidArgument', 'filename must be a string')
  return { ...options, expiresIn: options.expiresIn ?? DEFAULT_EXPORT_EXPIRES_IN } as ExportRequest
}
