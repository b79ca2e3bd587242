import { DetailedError, Upload, type UploadOptions } from 'tus-js-client'

/** Bytes per PATCH in the tus tests: small, so that an upload takes several requests. */
export const CHUNK = 64 * 1024

/** Runs a tus-js-client upload to its end; rejects with the client's error. */
export function runUpload(body: Buffer, options: UploadOptions): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const upload: Upload = new Upload(body, {
      chunkSize: CHUNK,
      retryDelays: null,
      storeFingerprintForResuming: false,
      ...options,
      onSuccess: () => resolve(upload),
      onError: reject,
    })
    upload.start()
  })
}

/** The HTTP status of a tus-js-client error. */
export function statusOf(error: unknown): number | undefined {
  return error instanceof DetailedError ? error.originalResponse?.getStatus() : undefined
}
