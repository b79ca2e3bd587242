import { Readable } from 'node:stream'
import {
  dispositionHeader,
  generateUniqueObjectName,
  type ObjectInfo,
  parseDisposition,
  StorageError,
  type UploadBody,
  type UploadOptions,
} from '@coffer/core'
import { resolveColumns } from './columns.ts'
import { csvChunks } from './csv-writer.ts'
import {
  EXPIRES_AT_METADATA,
  EXPORT_FORMATS,
  type ExportOptions,
  type ExportResult,
  type ExportRow,
} from './export-options.ts'
import { type ExportRows, peekFirst, rowsOf } from './export-rows.ts'
import { FORMAT_INFO } from './formats.ts'
import { jsonChunks } from './json-writer.ts'
import { pdfStream } from './pdf-writer.ts'
import { xlsxStream } from './xlsx-writer.ts'

/**
 * Where an export is stored: a `StorageService`, or anything with its `upload` (Coffer's server passes
 * a bucket, so that the bucket's policy, quota and index apply to exports as to any upload).
 */
export interface ExportTarget {
  upload(body: UploadBody, opts: UploadOptions & { key: string }): Promise<ObjectInfo>
}

const MAX_FILENAME = 255
const MAX_TITLE = 1024
/** The longest expiry an export may ask for: one year. */
export const MAX_EXPORT_EXPIRES_IN = 365 * 24 * 3600

/** The file name with the format's extension (added when missing), checked as a disposition takes it. */
function downloadName(options: ExportOptions, extension: string): string {
  const { filename } = options
  if (typeof filename !== 'string' || filename.trim() === '' || filename.length > MAX_FILENAME) {
    throw new StorageError('InvalidArgument', `filename must be 1 to ${MAX_FILENAME} characters`)
  }
  const name = filename.toLowerCase().endsWith(`.${extension}`) ? filename : `${filename}.${extension}`
  if (parseDisposition(dispositionHeader('attachment', name))?.fileName !== name) {
    throw new StorageError('InvalidArgument', 'filename must not hold control or bidirectional characters')
  }
  return name
}

function checkOptions(options: ExportOptions): void {
  if (!EXPORT_FORMATS.includes(options.format)) {
    throw new StorageError('InvalidArgument', `format must be one of ${EXPORT_FORMATS.join(', ')}`)
  }
  if (
    options.title !== undefined &&
    (typeof options.title !== 'string' || options.title.length > MAX_TITLE)
  ) {
    throw new StorageError('InvalidArgument', `title must be a string of at most ${MAX_TITLE} characters`)
  }
  const { expiresIn } = options
  if (
    expiresIn !== undefined &&
    (!Number.isSafeInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPORT_EXPIRES_IN)
  ) {
    throw new StorageError('InvalidArgument', `expiresIn must be 1 to ${MAX_EXPORT_EXPIRES_IN} seconds`)
  }
}

/** The file's bytes for the format, produced from the rows as they come. */
async function render(
  rows: AsyncIterable<ExportRow>,
  options: ExportOptions,
  title: string,
): Promise<Readable> {
  const { format } = options
  if (format === 'json' || format === 'ndjson') {
    const columns = options.columns === undefined ? undefined : resolveColumns(options.columns, undefined)
    return Readable.from(jsonChunks(rows, columns, { array: format === 'json' }))
  }
  const peeked = await peekFirst(rows)
  const columns = resolveColumns(options.columns, peeked.first)
  if (format === 'csv') return Readable.from(csvChunks(peeked.rows, columns, { bom: true }))
  if (format === 'xlsx') return xlsxStream(peeked.rows, columns, title)
  return pdfStream(peeked.rows, columns, title)
}

/**
 * Writes rows into a new object as a CSV, JSON, NDJSON, XLSX or PDF file, streamed end to end: rows are
 * read, formatted and uploaded as they come, so memory stays bounded whatever their number. The object
 * gets the format's type and `Content-Disposition: attachment` with the file name. Fails with
 * `InvalidArgument` for bad options or a bad row (NDJSON lines name their line number), `TooLarge` for
 * an NDJSON line over `maxLineBytes` or a file over `maxSize`, or what the upload fails with; then
 * nothing is stored (uploads are atomic).
 */
export async function createExport(
  storage: ExportTarget,
  rows: ExportRows,
  options: ExportOptions,
): Promise<ExportResult> {
  checkOptions(options)
  const info = FORMAT_INFO[options.format]
  const filename = downloadName(options, info.extension)
  const title = options.title ?? filename.slice(0, -(info.extension.length + 1))
  const key =
    options.key ??
    generateUniqueObjectName(filename, options.prefix === undefined ? {} : { prefix: options.prefix })
  const expiresAt =
    options.expiresIn === undefined ? undefined : new Date(Date.now() + options.expiresIn * 1000)
  let count = 0
  async function* counted(): AsyncGenerator<ExportRow> {
    for await (const row of rowsOf(rows, options)) {
      // The writers read rows as fast as the upload takes bytes; an abort must stop them too.
      options.signal?.throwIfAborted()
      count += 1
      yield row
    }
  }
  const contentDisposition = dispositionHeader('attachment', filename)
  const upload: UploadOptions & { key: string } = {
    key,
    contentType: info.contentType,
    contentDisposition,
    visibility: options.visibility ?? 'private',
  }
  if (expiresAt !== undefined) upload.metadata = { [EXPIRES_AT_METADATA]: expiresAt.toISOString() }
  if (options.key === undefined) upload.ifNoneMatch = '*'
  if (options.maxSize !== undefined) upload.maxSize = options.maxSize
  if (options.signal !== undefined) upload.signal = options.signal
  const body = await render(counted(), options, title)
  const stored = await storage.upload(body, upload)
  const result: ExportResult = {
    key: stored.key,
    size: stored.size,
    contentType: stored.contentType,
    filename,
    contentDisposition,
    etag: stored.etag,
    rows: count,
  }
  if (expiresAt !== undefined) result.expiresAt = expiresAt
  return result
}
