import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { StorageError, toStorageError, withoutPath } from '../errors.ts'

/**
 * Writes a stream to a local file atomically: into a temp file beside it, fsynced, then renamed over
 * the target. On any failure the temp file is removed and the target is untouched.
 */
export async function writeFileAtomically(body: Readable, path: string, signal?: AbortSignal): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.coffer-part`)
  let created = false
  try {
    // `flush` fsyncs the file before it is closed, so the rename publishes complete, durable bytes.
    const file = createWriteStream(temp, { flags: 'wx', flush: true })
    file.once('open', () => {
      created = true
    })
    await pipeline(body, file, signal ? { signal } : {})
    await rename(temp, path)
  } catch (error) {
    body.destroy()
    // Removing the temp file is best effort: the failure reported is the one that stopped the download.
    if (created) await unlink(temp).catch(() => undefined)
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR') {
      // The local path is the caller's own, but messages never carry host paths: name the problem only.
      throw new StorageError('InvalidArgument', `cannot write the local file (${code})`, {
        cause: withoutPath(error),
      })
    }
    throw toStorageError(error, 'the download')
  }
}
