import { StorageError } from '@coffer/core'
import type { ExportRow } from './export-options.ts'

/** The longest NDJSON line accepted by default: 1 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024

const NEWLINE = 0x0a
const CR = 0x0d

/** A row's value must be a JSON object: arrays and scalars have no named fields to put in columns. */
export function checkRow(value: unknown, where: string): ExportRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StorageError('InvalidArgument', `${where} is not a JSON object`)
  }
  return value as ExportRow
}

function parseLine(bytes: Uint8Array, line: number): ExportRow | undefined {
  let text: string
  try {
    // `fatal`: bytes that are not UTF-8 are refused rather than silently replaced.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).trim()
  } catch (error) {
    throw new StorageError('InvalidArgument', `line ${line} is not valid UTF-8`, { cause: error })
  }
  if (text === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new StorageError('InvalidArgument', `line ${line} is not valid JSON`, { cause: error })
  }
  return checkRow(value, `line ${line}`)
}

/**
 * Reads NDJSON (one JSON object a line, `\n` or `\r\n`, blank lines skipped) from a byte stream as rows,
 * one line at a time: only the current line is held, and a line longer than `maxLineBytes` fails with
 * `TooLarge` before more of it is read. A line that is not UTF-8 JSON or not an object fails with
 * `InvalidArgument`, naming its line number.
 */
export async function* ndjsonRows(
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  opts: { maxLineBytes?: number } = {},
): AsyncGenerator<ExportRow> {
  const max = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
  let pending: Uint8Array[] = []
  let pendingBytes = 0
  let line = 0
  const tooLong = () =>
    new StorageError('TooLarge', `line ${line + 1} is longer than the limit of ${max} bytes`)
  for await (const chunk of body) {
    let start = 0
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, end)
      const bytes = pending.length === 0 ? piece : Buffer.concat([...pending, piece])
      if (bytes.length - (bytes[bytes.length - 1] === CR ? 1 : 0) > max) throw tooLong()
      pending = []
      pendingBytes = 0
      line += 1
      const row = parseLine(bytes, line)
      if (row !== undefined) yield row
      start = end + 1
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start)
      pendingBytes += rest.length
      // One byte of slack for the `\r` of a `\r\n` line ending.
      if (pendingBytes > max + 1) throw tooLong()
      // A copy: the stream may reuse the chunk's memory once we return.
      pending.push(new Uint8Array(rest))
    }
  }
  if (pendingBytes > 0) {
    const bytes = Buffer.concat(pending)
    if (bytes.length - (bytes[bytes.length - 1] === CR ? 1 : 0) > max) throw tooLong()
    const row = parseLine(bytes, line + 1)
    if (row !== undefined) yield row
  }
}
