import { Upload } from 'tus-js-client'
import { ApiError, parseProblem } from '../api/api-error.ts'
import { objectPath } from '../api/coffer-client.ts'
import type { Transport, UploadTask } from './upload-queue.ts'

/** Files from this size on go over tus in chunks of this size, and resume after a reload. */
export const RESUMABLE_FROM = 8 * 1024 * 1024

function abortError(): DOMException {
  return new DOMException('The upload was cancelled', 'AbortError')
}

/** One PUT with the file as the body; XHR, since fetch reports no upload progress. */
export function putTransport(token: string): Transport {
  return (task: UploadTask) =>
    new Promise<void>((resolve, reject) => {
      const xhr = new XMLHttpRequest()
      xhr.open('PUT', objectPath(task.bucket, task.key))
      xhr.setRequestHeader('authorization', `Bearer ${token}`)
      xhr.setRequestHeader('content-type', task.file.type || 'application/octet-stream')
      if (task.createOnly) xhr.setRequestHeader('if-none-match', '*')
      xhr.upload.onprogress = (event) => task.onProgress(event.loaded)
      xhr.onload = () =>
        xhr.status >= 200 && xhr.status < 300
          ? resolve()
          : reject(new ApiError(xhr.status, parseProblem(xhr.responseText)))
      xhr.onerror = () => reject(new ApiError(0, { detail: 'The connection to the server broke.' }))
      xhr.onabort = () => reject(abortError())
      task.signal.addEventListener('abort', () => xhr.abort(), { once: true })
      xhr.send(task.file)
    })
}

/** What tus-js-client stores per unfinished upload: `tus::<fingerprint>::<n>` in localStorage. */
export function fingerprintOf(bucket: string, key: string, file: File): string {
  return `coffer:${bucket}/${key}:${file.size}:${file.lastModified}`
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

const EXISTS = 'An object with this name already exists.'

/** Whether the key is taken (a HEAD that does not answer 404). */
async function taken(token: string, task: UploadTask): Promise<boolean> {
  const response = await fetch(objectPath(task.bucket, task.key), {
    method: 'HEAD',
    headers: { authorization: `Bearer ${token}` },
    signal: task.signal,
  })
  if (response.status === 404) return false
  if (response.ok) return true
  throw new ApiError(response.status, { detail: 'The server could not check whether the name is free.' })
}

/**
 * tus 1.0 through `/v1/uploads`, in chunks. The upload's URL is kept in localStorage under a
 * fingerprint of bucket, key, size and date, so the same file dropped again after a reload (or a
 * broken connection) continues where the server stopped. A cancel terminates the upload on the server.
 */
export function tusTransport(token: string): Transport {
  return (task: UploadTask) =>
    new Promise<void>((resolve, reject) => {
      const upload = new Upload(task.file, {
        endpoint: '/v1/uploads',
        chunkSize: RESUMABLE_FROM,
        retryDelays: [0, 1000, 3000, 5000],
        headers: { authorization: `Bearer ${token}` },
        metadata: {
          bucket: task.bucket,
          key: task.key,
          contentType: task.file.type || 'application/octet-stream',
        },
        fingerprint: async () => fingerprintOf(task.bucket, task.key, task.file),
        removeFingerprintOnSuccess: true,
        onProgress: (sent) => task.onProgress(sent),
        onSuccess: () => resolve(),
        onShouldRetry: (error) => {
          const status = error.originalResponse?.getStatus() ?? 0
          return status === 0 || status >= 500 || status === 409 || status === 423
        },
        onError: (error) => {
          const response = 'originalResponse' in error ? error.originalResponse : null
          if (!response) return reject(new ApiError(0, { detail: error.message }))
          reject(new ApiError(response.getStatus(), parseProblem(response.getBody())))
        },
      })
      task.signal.addEventListener(
        'abort',
        () => {
          void upload.abort(true).catch(() => undefined)
          reject(abortError())
        },
        { once: true },
      )
      const start = async () => {
        const last = (await upload.findPreviousUploads())[0]
        if (last) upload.resumeFromPreviousUpload(last)
        // tus has no create-only: a new upload looks first (an upload resumed was looked at before).
        else if (task.createOnly && (await taken(token, task))) throw new ApiError(412, { detail: EXISTS })
        if (!task.signal.aborted) upload.start()
      }
      start().catch(reject)
    })
}

/** PUT for small files, tus for large ones. */
export function uploadTransport(token: string): Transport {
  const put = putTransport(token)
  const tus = tusTransport(token)
  return (task) => (task.file.size >= RESUMABLE_FROM ? tus(task) : put(task))
}
