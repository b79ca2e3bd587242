import { type FileHandle, open } from 'node:fs/promises'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as NodeWebReadable } from 'node:stream/web'

/** Bytes read from a file per pull of an upload body. */
const READ_SIZE = 256 * 1024

/**
 * Bytes `start` to `end` (exclusive) of a local file as a `fetch` body, counted as they are read.
 * The stream reads a chunk only when `fetch` pulls one, so an upload holds a chunk or two in memory
 * whatever the file's size (`Readable.toWeb` over a file stream reads ahead without bound: a 1 GiB
 * PUT held the whole file). A file that shrinks while it is sent fails the upload.
 */
export function fileBody(
  path: string,
  range: { start: number; end: number },
  onTotal: (total: number) => void,
): ReadableStream<Uint8Array> {
  let handle: FileHandle | undefined
  let position = range.start
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      handle ??= await open(path, 'r')
      const length = Math.min(READ_SIZE, range.end - position)
      if (length <= 0) {
        await handle.close()
        return controller.close()
      }
      const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(length), 0, length, position)
      if (bytesRead === 0)
        throw new Error(`${path} ended at byte ${position} of ${range.end}: changed while sent`)
      position += bytesRead
      onTotal(position - range.start)
      controller.enqueue(buffer.subarray(0, bytesRead))
    },
    async cancel() {
      await handle?.close()
    },
  })
}

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

/** A `fetch` body as a Node stream; no body is an empty stream. */
export function fromWeb(stream: ReadableStream | null): Readable {
  return stream === null ? Readable.from([]) : Readable.fromWeb(stream as NodeWebReadable)
}
