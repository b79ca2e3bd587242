import { PassThrough, type Readable, type Writable } from 'node:stream'
import { toStorageError } from '@coffer/core'

/**
 * A stream that `produce` writes into: when `produce` fails, the stream fails with its error (a
 * `StorageError`), so whoever reads it (an upload) stops and stores nothing. The producer must wait
 * with `waitForRoom` whenever it has written a bit, so memory stays bounded by the reader's pace.
 */
export function producedStream(produce: (out: PassThrough) => Promise<void>): Readable {
  const out = new PassThrough()
  produce(out).then(
    () => undefined,
    (error: unknown) => out.destroy(toStorageError(error, 'the export')),
  )
  return out
}

/** Rows between turns of the event loop. */
const TURN_EVERY = 64

/**
 * Paces a producer that has just written its `count`th row: every 64 rows it gives the event loop a
 * turn, then waits for room in `out`. The turn matters: pdfkit and exceljs hand their bytes on in
 * `process.nextTick` callbacks and zlib's thread-pool callbacks, which never run while a loop of
 * rows that are already at hand keeps awaiting only promises; without it their output piled up in
 * memory until the last row (a PDF of a million rows grew by ~18 KiB a page).
 */
export async function pace(out: Writable, count: number): Promise<void> {
  if (count % TURN_EVERY === 0) await new Promise(setImmediate)
  await waitForRoom(out)
}

/**
 * Resolves once `out` has room for more (at once when it has); rejects when it is destroyed first
 * (the reader gave up), so a producer never waits for a `drain` that cannot come.
 */
export function waitForRoom(out: Writable): Promise<void> {
  if (out.destroyed) return Promise.reject(out.errored ?? new Error('the export stream was closed'))
  if (!out.writableNeedDrain) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      out.off('close', onClose)
      resolve()
    }
    const onClose = () => {
      out.off('drain', onDrain)
      reject(out.errored ?? new Error('the export stream was closed'))
    }
    out.once('drain', onDrain)
    out.once('close', onClose)
  })
}
