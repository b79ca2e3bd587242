import type { ExportResult } from './api-types.ts'
import type { CallOptions, HttpTransport } from './http-transport.ts'
import { requestBody } from './upload-body.ts'

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
  create(rows: Iterable<object> | AsyncIterable<object>, options: ExportOptions): Promise<ExportResult> {
    const { signal, timeout, ...request } = options
    return this.#transport.json({
      method: 'POST',
      path: '/v1/exports',
      query: { options: JSON.stringify(request) },
      headers: { 'content-type': 'application/x-ndjson' },
      body: requestBody(ndjson(rows)),
      transfer: true,
      signal,
      timeout,
    })
  }
}
