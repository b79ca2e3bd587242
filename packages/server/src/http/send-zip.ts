import type { Readable } from 'node:stream'
import { StorageError } from '@coffer/core'
import { ZipFile } from 'yazl'
import type { BucketObjects } from '../domain/buckets/bucket-objects.ts'
import type { ZipEntry } from '../domain/buckets/zip-plan.ts'

/** A zip being streamed, and its length when known before the first byte. */
export interface ZipStream {
  stream: Readable
  /** The archive's exact length in bytes: known because every entry is stored at a known size. */
  size?: number
}

/**
 * A zip of `entries`, streamed: each object is opened only when its turn comes (yazl's lazy
 * entries) and read through with backpressure, so memory holds one chunk, not the archive.
 *
 * Entries are stored, not deflated: the archive's length is then known up front, so the browser
 * shows progress and time left and the usage counts the bytes served; most files people zip
 * (photos, PDFs, media) are compressed already, and deflate would only cost the shared CPU. An
 * object that fails or changes size mid-way ends the stream with an error, short of that length:
 * the download fails visibly rather than ending as an archive that looks whole.
 */
export function zipStream(objects: BucketObjects, entries: readonly ZipEntry[]): ZipStream {
  const zip = new ZipFile()
  const stream = zip.outputStream as Readable
  // The object being read when something fails is closed too, or its file or socket stays open.
  let reading: Readable | undefined
  zip.on('error', (error: Error) => {
    reading?.destroy()
    stream.destroy(error)
  })
  // A client that goes away mid-download: its object's stream is closed with the archive's.
  stream.on('close', () => reading?.destroy())
  for (const entry of entries) {
    const options = { mtime: entry.modified, size: entry.size, compress: false }
    zip.addReadStreamLazy(entry.name, options, (done) => {
      objects.get(entry.key, {}).then(
        (result) => {
          if (result.notModified) {
            done(new StorageError('Internal', `${entry.key} could not be read`), undefined as never)
            return
          }
          // Overwritten since the archive was planned: its size in the zip's headers (and the
          // archive's length) would be wrong, so the download fails here instead of ending whole
          // in appearance and unreadable.
          if (result.info.size !== entry.size) {
            result.body.destroy()
            done(
              new StorageError('Conflict', `${entry.key} changed while the archive was sent; try again`),
              undefined as never,
            )
            return
          }
          reading = result.body
          done(null, result.body)
        },
        (error: Error) => done(error, undefined as never),
      )
    })
  }
  const zipped: ZipStream = { stream }
  // yazl computes the length as `end` is called, when every entry's size is given and stored.
  // (@types/yazl types the callback without the size that yazl passes it.)
  const end = zip.end.bind(zip) as (options: object, done: (size: number) => void) => void
  end({}, (size) => {
    if (size >= 0) zipped.size = size
  })
  return zipped
}
