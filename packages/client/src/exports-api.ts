import type { ExportResult } from './api-types.ts'
import type { CallOptions, HttpTransport } from './http-transport.ts'
import { requestBody } from './upload-body.ts'
import { usesXhr } from './xhr-upload.ts'

/** What an export is made as. */
export interface ExportOptions extends CallOptions {
  format: 'csv' | 'json' | 'ndjson' | 'xlsx' | 'pdf'
  /** The download name; the format's extension is added when missing. */
  filename: string
  /** The columns, in order; default the first row's fields. */
  columns?: string[] | undefined
  /** A PDF's title. */
  title?: string | undefined
  /** Seconds until the export (and its link) expires; default 7 days. */
  expiresIn?: number | undefined
}

/** Rows as NDJSON lines, encoded as they are pulled: the rows are never held all at once. */
async function* ndjson(rows: Iterable<object> | AsyncIterable<object>): AsyncGenerator<string> {
  for await (const row of rows) yield `${JSON.stringify(row)}\n`
}

/**
 * The NDJSON lines as a Blob, for browsers: they send no streamed request body over HTTP/1.1, and a
 * page's rows are in its memory already (a large Blob may be kept on disk by the browser).
 */
async function blobOf(lines: AsyncIterable<string>): Promise<Blob> {
  const parts: string[] = []
  for await (const line of lines) parts.push(line)
  return new Blob(parts, { type: 'application/x-ndjson' })
}

/** Exports: rows streamed into a CSV, JSON, NDJSON, XLSX or PDF file with an expiring download link. */
export class ExportsApi {
  readonly #transport: HttpTransport
  constructor(transport: HttpTransport) {
    this.#transport = transport
  }

  /**
   * Streams `rows` (any iterable or async iterable of objects) to the service, which writes the file
   * into the `exports` bucket under the caller's folder; the answer has a signed `url` valid until
   * `expiresAt`. A row that is no JSON object fails with `InvalidArgument` and stores nothing.
   */
  async create(
    rows: Iterable<object> | AsyncIterable<object>,
    options: ExportOptions,
  ): Promise<ExportResult> {
    const { signal, timeout, ...request } = options
    const body = usesXhr() ? await blobOf(ndjson(rows)) : requestBody(ndjson(rows))
    return this.#transport.json({
      method: 'POST',
      path: '/v1/exports',
      query: { options: JSON.stringify(request) },
      headers: { 'content-type': 'application/x-ndjson' },
      body,
      transfer: true,
      signal,
      timeout,
    })
  }
}
