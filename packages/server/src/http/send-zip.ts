import type { Readable } from 'node:stream'
import { StorageError } from '@coffer/core'
import { ZipFile } from 'yazl'
import type { BucketObjects } from '../domain/buckets/bucket-objects.ts'
import type { ZipEntry } from '../domain/buckets/zip-plan.ts'

/**
 * Types worth deflating: text and its kin. Everything else (images, media, archives, unknown bytes)
 * is stored as it is: mostly compressed already, where deflate would only cost the server's CPU.
 */
const TEXTUAL = /^text\/|[/+](json|xml|javascript|csv|yaml|x-ndjson)\b|^image\/svg\+xml/

/**
 * A zip of `entries`, streamed: each object is opened only when its turn comes (yazl's lazy
 * entries) and read through with backpressure, so memory holds one chunk, not the archive. An object
 * that fails or changes size mid-way ends the stream with an error: the download fails visibly
 * rather than ending as a truncated archive that looks whole.
 */
export function zipStream(objects: BucketObjects, entries: readonly ZipEntry[]): Readable {
  const zip = new ZipFile()
  const output = zip.outputStream as Readable
  // The object being read when something fails is closed too, or its file or socket stays open.
  let reading: Readable | undefined
  zip.on('error', (error: Error) => {
    reading?.destroy()
    output.destroy(error)
  })
  // A client that goes away mid-download: its object's stream is closed with the archive's.
  output.on('close', () => reading?.destroy())
  for (const entry of entries) {
    const options = { mtime: entry.modified, size: entry.size, compress: TEXTUAL.test(entry.contentType) }
    zip.addReadStreamLazy(entry.name, options, (done) => {
      objects.get(entry.key, {}).then(
        (result) => {
          if (result.notModified) {
            done(new StorageError('Internal', `${entry.key} could not be read`), undefined as never)
            return
          }
          reading = result.body
          done(null, result.body)
        },
        (error: Error) => done(error, undefined as never),
      )
    })
  }
  zip.end()
  return output
}
