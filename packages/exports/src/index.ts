/**
 * `@coffer/exports`: rows streamed into CSV, JSON, NDJSON, XLSX or PDF objects through a
 * `StorageService`, with the download name and type set. exceljs and pdfkit load only when used.
 */
export { type Column, cellText, cellValue, MAX_COLUMNS, resolveColumns } from './columns.ts'
export { createExport, type ExportTarget, MAX_EXPORT_EXPIRES_IN } from './create-export.ts'
export { neutralizeFormula } from './csv-writer.ts'
export {
  type ColumnType,
  EXPIRES_AT_METADATA,
  EXPORT_FORMATS,
  type ExportColumn,
  type ExportFormat,
  type ExportOptions,
  type ExportResult,
  type ExportRow,
} from './export-options.ts'
export type { ExportRows } from './export-rows.ts'
export { FORMAT_INFO } from './formats.ts'
export { DEFAULT_MAX_LINE_BYTES, ndjsonRows } from './ndjson-rows.ts'
