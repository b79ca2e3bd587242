import { Readable } from 'node:stream'
import { StorageError } from '@coffer/core'
import type { ExportRow } from './export-options.ts'
import { checkRow, ndjsonRows } from './ndjson-rows.ts'

/**
 * The rows of an export: objects (any iterable or async iterable, or an object-mode stream), or
 * NDJSON bytes (a byte stream, a web `ReadableStream`, a `Uint8Array` or a string).
 */
export type ExportRows =
  | AsyncIterable<ExportRow>
  | Iterable<ExportRow>
  | Readable
  | ReadableStream<Uint8Array>
  | Uint8Array
  | string

function isByteSource(rows: ExportRows): boolean {
  if (typeof rows === 'string' || rows instanceof Uint8Array || rows instanceof ReadableStream) return true
  return rows instanceof Readable && !rows.readableObjectMode
}

async function* checked(rows: AsyncIterable<unknown> | Iterable<unknown>): AsyncGenerator<ExportRow> {
  let index = 0
  for await (const row of rows) {
    index += 1
    yield checkRow(row, `row ${index}`)
  }
}

/** The rows as checked objects, one at a time, whatever form they came in. */
export function rowsOf(rows: ExportRows, opts: { maxLineBytes?: number }): AsyncIterable<ExportRow> {
  if (isByteSource(rows)) {
    const bytes =
      typeof rows === 'string' || rows instanceof Uint8Array
        ? [typeof rows === 'string' ? Buffer.from(rows) : rows]
        : (rows as AsyncIterable<Uint8Array>)
    return ndjsonRows(bytes, opts)
  }
  if (
    typeof rows !== 'object' ||
    rows === null ||
    !(Symbol.asyncIterator in rows || Symbol.iterator in rows)
  ) {
    throw new StorageError('InvalidArgument', 'rows must be an iterable of objects or an NDJSON byte stream')
  }
  return checked(rows as AsyncIterable<unknown> | Iterable<unknown>)
}

/** The first row, read ahead (to name the columns), and all the rows again from the first. */
export async function peekFirst(
  rows: AsyncIterable<ExportRow>,
): Promise<{ first: ExportRow | undefined; rows: AsyncIterable<ExportRow> }> {
  const iterator = rows[Symbol.asyncIterator]()
  const head = await iterator.next()
  const first = head.done === true ? undefined : head.value
  async function* all(): AsyncGenerator<ExportRow> {
    if (first === undefined) return
    yield first
    // Not `for await (… of iterator)`: `return()` must still close the source when the reader stops.
    try {
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next())
        yield next.value
    } finally {
      await iterator.return?.()
    }
  }
  return { first, rows: all() }
}
