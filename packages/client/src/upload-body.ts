/**
 * What an upload may send: bytes, text, a `Blob` or `File`, a web `ReadableStream`, or any async
 * iterable of bytes (a Node `Readable` is one). Streams are sent as they are read, never held whole.
 */
export type UploadBody =
  | Uint8Array
  | string
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>

import { usesXhr } from './xhr-upload.ts'

/** Reports how many bytes of an upload have been sent, and of how many when known. */
export type ProgressListener = (sent: number, total: number | undefined) => void

/** The size of a body when it can be known without reading it. */
export function sizeOf(body: UploadBody): number | undefined {
  if (typeof body === 'string') return new TextEncoder().encode(body).byteLength
  if (body instanceof Uint8Array) return body.byteLength
  if (typeof Blob !== 'undefined' && body instanceof Blob) return body.size
  return undefined
}

/** A byte stream of any upload body. */
function streamOf(body: UploadBody): ReadableStream<Uint8Array> {
  if (typeof body === 'string') return streamOf(new TextEncoder().encode(body))
  if (body instanceof Uint8Array)
    return new ReadableStream({
      start(controller) {
        controller.enqueue(body)
        controller.close()
      },
    })
  if (typeof Blob !== 'undefined' && body instanceof Blob) return body.stream()
  if (body instanceof ReadableStream) return body
  const iterator = (body as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]()
  const encoder = new TextEncoder()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next()
      if (done) controller.close()
      else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value)
    },
    async cancel(reason) {
      await iterator.return?.(reason)
    },
  })
}

/**
 * The body `fetch` sends for an upload. Without a progress listener, bytes, text and blobs go as they
 * are (a browser sends a `Blob` from disk without reading it into script); with one, every body is a
 * stream whose chunks are counted as `fetch` pulls them, which is when they leave for the network.
 */
export function requestBody(body: UploadBody, onProgress?: ProgressListener): BodyInit {
  if (onProgress === undefined) {
    if (typeof body === 'string' || body instanceof Uint8Array) return body as BodyInit
    if (typeof Blob !== 'undefined' && body instanceof Blob) return body
    if (body instanceof ReadableStream) return body
  }
  const total = sizeOf(body)
  let sent = 0
  onProgress?.(0, total)
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      sent += chunk.byteLength
      controller.enqueue(chunk)
      onProgress?.(sent, total)
    },
  })
  return streamOf(body).pipeThrough(counter)
}

/**
 * The body of an upload request and how its progress is reported. In a browser, a Blob, bytes or
 * text with a progress listener goes through XMLHttpRequest (`xhrProgress`), which reports bytes as
 * they leave; elsewhere the body is counted as `fetch` pulls it (see `requestBody`).
 */
export function uploadRequest(
  body: UploadBody,
  onProgress: ProgressListener | undefined,
): { body: BodyInit; xhrProgress?: ProgressListener } {
  const whole =
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    (typeof Blob !== 'undefined' && body instanceof Blob)
  if (onProgress !== undefined && whole && usesXhr())
    return { body: body as BodyInit, xhrProgress: onProgress }
  return { body: requestBody(body, onProgress) }
}
