import { createReadStream } from 'node:fs'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import { pack } from 'tar-stream'
import type { LocalFile } from './local-tree.ts'

/**
 * The files as a gzip-compressed tar, produced as it is read: one file is open at a time and
 * `tar-stream` holds back when the reader does, so a folder of any size takes a few chunks of
 * memory. `onRead` is told the running count of file bytes packed (for a progress bar).
 */
export function tarGzFolder(files: Map<string, LocalFile>, onRead: (bytes: number) => void): Readable {
  const tar = pack()
  const gzip = createGzip()
  let read = 0
  const counted = (file: Readable) => {
    file.on('data', (chunk: Buffer) => {
      read += chunk.length
      onRead(read)
    })
    return file
  }
  const packAll = async () => {
    for (const [name, file] of files) {
      const entry = tar.entry({ name, size: file.size, mode: 0o644, mtime: new Date(file.mtimeMs) })
      await pipeline(counted(createReadStream(file.path)), entry as unknown as NodeJS.WritableStream)
    }
    tar.finalize()
  }
  packAll().catch((error: unknown) => tar.destroy(error as Error))
  pipeline(tar as unknown as Readable, gzip).catch((error: unknown) => gzip.destroy(error as Error))
  return gzip
}
