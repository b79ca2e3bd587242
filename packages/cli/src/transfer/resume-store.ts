import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * What identifies one resumable upload: the same file (absolute path, size, modification time) to
 * the same object on the same service. A file changed since the interrupted run has another
 * identity, so its stale upload is never continued with new bytes.
 */
export interface UploadIdentity {
  server: string
  bucket: string
  key: string
  path: string
  size: number
  mtimeMs: number
}

/**
 * Upload URLs of unfinished tus uploads, one small JSON file per upload in `<state dir>/uploads`,
 * named after the hash of its identity, so that rerunning an interrupted command finds its upload.
 */
export class ResumeStore {
  readonly #dir: string
  constructor(stateDir: string) {
    this.#dir = join(stateDir, 'uploads')
  }

  #file(identity: UploadIdentity): string {
    const { server, bucket, key, path, size, mtimeMs } = identity
    const hash = createHash('sha256').update(JSON.stringify([server, bucket, key, path, size, mtimeMs]))
    return join(this.#dir, `${hash.digest('hex').slice(0, 32)}.json`)
  }

  /** The upload URL recorded for this identity, if any. */
  async get(identity: UploadIdentity): Promise<string | undefined> {
    let text: string
    try {
      text = await readFile(this.#file(identity), 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
    const record = JSON.parse(text) as { uploadUrl?: unknown }
    return typeof record.uploadUrl === 'string' ? record.uploadUrl : undefined
  }

  /** Records the upload URL (written to a temp file, then renamed: a crash never leaves half a record). */
  async set(identity: UploadIdentity, uploadUrl: string): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 })
    const file = this.#file(identity)
    const temp = `${file}.${process.pid}.tmp`
    const record = { ...identity, uploadUrl, createdAt: new Date().toISOString() }
    await writeFile(temp, `${JSON.stringify(record)}\n`, { mode: 0o600 })
    await rename(temp, file)
  }

  /** Forgets the upload (done, refused, or gone from the service); no error when there is none. */
  async delete(identity: UploadIdentity): Promise<void> {
    await rm(this.#file(identity), { force: true })
  }
}
