import type { CofferClient, UploadUrlStore } from '@coffer/client'
import type { Transport, UploadTask } from './upload-queue.ts'

/** Files from this size on go over tus in chunks of this size, and resume after a reload. */
export const RESUMABLE_FROM = 8 * 1024 * 1024

/** One PUT with the file as the body; the client sends it with XHR, which reports upload progress. */
export function putTransport(client: CofferClient): Transport {
  return async (task: UploadTask) => {
    await client.objects.upload(task.bucket, task.key, task.file, {
      contentType: task.file.type || 'application/octet-stream',
      ifNoneMatch: task.createOnly ? '*' : undefined,
      onProgress: (sent) => task.onProgress(sent),
      signal: task.signal,
    })
  }
}

/** What an unfinished upload is known by: bucket, key, size and date of the file. */
export function fingerprintOf(bucket: string, key: string, file: File): string {
  return `coffer:${bucket}/${key}:${file.size}:${file.lastModified}`
}

/** The localStorage names of a fingerprint's records: `tus::<fingerprint>::<n>`. */
function namesOf(storage: Storage, fingerprint: string): string[] {
  const names: string[] = []
  for (let i = 0; i < storage.length; i++) {
    const name = storage.key(i) ?? ''
    if (name.startsWith(`tus::${fingerprint}::`)) names.push(name)
  }
  return names
}

/**
 * The upload URLs of unfinished uploads, in localStorage as tus-js-client keeps them
 * (`tus::<fingerprint>::<n>`, JSON with `uploadUrl`): uploads an earlier version of the UI left
 * unfinished still resume, and `unfinishedUploads` reads both.
 */
export function browserUploadStore(storage: Storage = localStorage): UploadUrlStore {
  return {
    async get(fingerprint) {
      for (const name of namesOf(storage, fingerprint)) {
        try {
          const { uploadUrl } = JSON.parse(storage.getItem(name) ?? '') as { uploadUrl?: unknown }
          if (typeof uploadUrl === 'string') return uploadUrl
        } catch {
          // A damaged record names no upload: the file is sent from its start.
        }
      }
      return undefined
    },
    async set(fingerprint, uploadUrl) {
      for (const name of namesOf(storage, fingerprint)) storage.removeItem(name)
      const record = { uploadUrl, creationTime: new Date().toISOString() }
      storage.setItem(`tus::${fingerprint}::${Date.now()}`, JSON.stringify(record))
    },
    async delete(fingerprint) {
      for (const name of namesOf(storage, fingerprint)) storage.removeItem(name)
    },
  }
}

/** The unfinished resumable uploads this browser knows of (from localStorage), by bucket and key. */
export function unfinishedUploads(storage: Storage = localStorage): { bucket: string; key: string }[] {
  const found: { bucket: string; key: string }[] = []
  for (let i = 0; i < storage.length; i++) {
    const name = storage.key(i) ?? ''
    const match = /^tus::coffer:([^/]+)\/(.*):\d+:\d+::\d+$/.exec(name)
    if (match?.[1] && match[2]) found.push({ bucket: match[1], key: match[2] })
  }
  return found
}

/**
 * tus 1.0 through the client's resumable upload, in chunks. The upload's URL is kept in localStorage
 * under a fingerprint of bucket, key, size and date, so the same file dropped again after a reload
 * (or a broken connection) continues where the server stopped. A cancel terminates the upload on the
 * server, and forgets it.
 */
export function tusTransport(client: CofferClient, storage: Storage = localStorage): Transport {
  const store = browserUploadStore(storage)
  return async (task: UploadTask) => {
    const fingerprint = fingerprintOf(task.bucket, task.key, task.file)
    await client.objects.uploadResumable(task.bucket, task.key, task.file, {
      contentType: task.file.type || 'application/octet-stream',
      // Create-only: a taken name is refused when the upload is created, and one taken while the
      // bytes travel fails its end (412, nothing stored); the queue then asks, as for a PUT.
      ifNoneMatch: task.createOnly ? '*' : undefined,
      chunkSize: RESUMABLE_FROM,
      retries: 4,
      resume: { store, fingerprint },
      onAbort: 'terminate',
      onProgress: (sent) => task.onProgress(sent),
      signal: task.signal,
    })
  }
}

/** PUT for small files, tus for large ones. */
export function uploadTransport(client: CofferClient): Transport {
  const put = putTransport(client)
  const tus = tusTransport(client)
  return (task) => (task.file.size >= RESUMABLE_FROM ? tus(task) : put(task))
}
