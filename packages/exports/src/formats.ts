import type { ExportFormat } from './export-options.ts'

/** The stored type and the file extension of each format. */
export const FORMAT_INFO: Readonly<Record<ExportFormat, { contentType: string; extension: string }>> = {
  csv: { contentType: 'text/csv;charset=utf-8', extension: 'csv' },
  json: { contentType: 'application/json', extension: 'json' },
  ndjson: { contentType: 'application/x-ndjson', extension: 'ndjson' },
  xlsx: {
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    extension: 'xlsx',
  },
  pdf: { contentType: 'application/pdf', extension: 'pdf' },
}
