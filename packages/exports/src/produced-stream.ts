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
