import { createReadStream } from 'node:fs'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as NodeWebReadable } from 'node:stream/web'

/**
 * `source` passed through unchanged, calling `onTotal` with the running byte count after each chunk.
 * An error of the source destroys the returned stream, so a reader sees it.
 */
export function countBytes(source: Readable, onTotal: (total: number) => void): Readable {
  let total = 0
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length
      onTotal(total)
      callback(null, chunk)
    },
  })
  pipeline(source, counter).catch((error: unknown) => counter.destroy(error as Error))
  return counter
}

/**
 * Bytes `start` to `end` (exclusive) of a local file as a `fetch` body, counted as they are read.
 * Nothing but the stream's buffer is in memory.
 */
export function fileBody(
  path: string,
  range: { start: number; end: number },
  onTotal: (total: number) => void,
): ReadableStream {
  const source =
    range.end > range.start
      ? createReadStream(path, { start: range.start, end: range.end - 1 })
      : Readable.from([])
  return toWeb(countBytes(source, onTotal))
}

/** A Node stream as a web stream for `fetch` (Node's and the DOM's declarations of it differ). */
export function toWeb(stream: Readable): ReadableStream {
  return Readable.toWeb(stream) as unknown as ReadableStream
}

/** A `fetch` body as a Node stream; no body is an empty stream. */
export function fromWeb(stream: ReadableStream | null): Readable {
  return stream === null ? Readable.from([]) : Readable.fromWeb(stream as NodeWebReadable)
}
