import { createHash, randomBytes } from 'node:crypto'
import type { DriverPutOptions, MultipartDriver } from '../../driver.ts'
import { StorageError } from '../../errors.ts'
import type { NormalizedKey } from '../../keys.ts'
import { multipartEtag, type StoredPart } from '../../multipart.ts'
import type { ObjectInfo } from '../../types.ts'
import { objectInfo } from '../object-info.ts'

interface MemoryPart extends StoredPart {
  chunks: readonly Buffer[]
}

interface MemoryUpload {
  key: string
  opts: DriverPutOptions
  parts: Map<number, MemoryPart>
}

/** Stores a joined object as the memory driver does its `put`s (quota, create-only, key order). */
export type MemoryCommit = (key: string, info: ObjectInfo, chunks: readonly Buffer[]) => ObjectInfo

function noSuchUpload(key: string): StorageError {
  return new StorageError('NotFound', (name) => `no multipart upload in progress at "${name}"`, { key })
}

/** The memory driver's multipart uploads: parts are lists of chunks, joined without copying bytes. */
export function memoryMultipart(commit: MemoryCommit): MultipartDriver {
  const uploads = new Map<string, MemoryUpload>()

  function find(key: NormalizedKey, uploadId: string): MemoryUpload {
    const upload = uploads.get(uploadId)
    if (upload?.key !== key) throw noSuchUpload(key)
    return upload
  }

  return {
    async createUpload(key, opts) {
      const uploadId = randomBytes(16).toString('hex')
      const { signal: _signal, ...kept } = opts
      uploads.set(uploadId, { key, opts: kept, parts: new Map() })
      return { uploadId }
    },

    async uploadPart(key, uploadId, partNumber, body, opts) {
      find(key, uploadId)
      const chunks: Buffer[] = []
      for await (const chunk of body) {
        opts?.signal?.throwIfAborted()
        chunks.push(chunk as Buffer)
      }
      const { size, md5 } = body.digest()
      const etag = `"${md5 ?? ''}"`
      // Looked up again: the upload may have been aborted or completed while the part streamed.
      find(key, uploadId).parts.set(partNumber, { partNumber, etag, size, chunks })
      return { etag }
    },

    async completeUpload(key, uploadId, parts) {
      const upload = find(key, uploadId)
      const chunks: Buffer[] = []
      const sha256 = createHash('sha256')
      let size = 0
      for (const ref of parts) {
        const part = upload.parts.get(ref.partNumber)
        if (part?.etag !== ref.etag) throw new StorageError('InvalidPart', `part ${ref.partNumber} changed`)
        for (const chunk of part.chunks) sha256.update(chunk)
        chunks.push(...part.chunks)
        size += part.size
      }
      const digest = { size, sha256: sha256.digest('hex') }
      const info = { ...objectInfo(key, digest, upload.opts), etag: multipartEtag(parts) }
      const stored = commit(key, info, chunks)
      uploads.delete(uploadId)
      return stored
    },

    async abortUpload(key, uploadId) {
      find(key, uploadId)
      uploads.delete(uploadId)
    },

    async listParts(key, uploadId) {
      const parts = [...find(key, uploadId).parts.values()].sort((a, b) => a.partNumber - b.partNumber)
      return parts.map(({ partNumber, etag, size }) => ({ partNumber, etag, size }))
    },
  }
}
