import type { Visibility } from '@coffer/core'

/** The file formats an export can be written in. */
export const EXPORT_FORMATS = ['csv', 'json', 'ndjson', 'xlsx', 'pdf'] as const

export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** How a column's values are written where the format has types (xlsx); text everywhere else. */
export type ColumnType = 'auto' | 'text' | 'number' | 'date' | 'boolean'

/** One column of a tabular export (csv, xlsx, pdf), or one kept field of a json/ndjson export. */
export interface ExportColumn {
  /** The row's field to read. */
  key: string
  /** The column's title in the header row; default: `key`. */
  header?: string
  /**
   * Default `auto`: numbers, booleans and `Date`s keep their type, everything else is text. `date`
   * also turns ISO 8601 strings into dates, `number` numeric strings into numbers.
   */
  type?: ColumnType
}

/** A row: the values of one record by field name. */
export type ExportRow = Readonly<Record<string, unknown>>

/** What `createExport` is asked to write. */
export interface ExportOptions {
  format: ExportFormat
  /** The name the downloaded file gets (`Content-Disposition: attachment`); the format's extension is
   * added when it is missing. Any Unicode text without control characters, at most 255 characters. */
  filename: string
  /** The columns, in order; default: the fields of the first row. For json/ndjson: the fields kept
   * (default: every field of every row). At most 1024. */
  columns?: readonly (string | ExportColumn)[]
  /** A title over the table (pdf) or the sheet's name (xlsx); default: the filename without extension. */
  title?: string
  /** The object's key; default: a unique key made from the filename under `prefix`. */
  key?: string
  /** Where the unique key goes when `key` is not given (e.g. `projects/42/`). */
  prefix?: string
  /** Seconds until the export expires: recorded as the object's `expires-at` metadata and returned
   * as `expiresAt`. Coffer's server deletes expired objects; a library user sweeps them itself. */
  expiresIn?: number
  /** The longest NDJSON line accepted, in bytes, when rows come as a byte stream; default 1 MiB. */
  maxLineBytes?: number
  /** The largest file accepted, in bytes; the export fails with `TooLarge` past it, storing nothing. */
  maxSize?: number
  /** Default `private`. */
  visibility?: Visibility
  signal?: AbortSignal
}

/** What `createExport` stored. */
export interface ExportResult {
  key: string
  /** Bytes stored. */
  size: number
  contentType: string
  /** The file name given to browsers, with the format's extension. */
  filename: string
  contentDisposition: string
  etag: string
  /** Rows written. */
  rows: number
  /** When the export expires, if `expiresIn` was given. */
  expiresAt?: Date
}

/** The metadata field that holds an object's expiry (ISO 8601, UTC). */
export const EXPIRES_AT_METADATA = 'expires-at'
