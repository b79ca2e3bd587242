import { CofferError } from './coffer-error.ts'
import type { ProgressListener } from './upload-body.ts'

/**
 * Whether uploads go through `XMLHttpRequest`: in browsers, where it reports upload progress as bytes
 * leave and `fetch` cannot (nor stream a request body over HTTP/1.1). Node has no XMLHttpRequest.
 */
export function usesXhr(): boolean {
  return typeof XMLHttpRequest === 'function'
}

/** One upload sent with XMLHttpRequest. */
export interface XhrUpload {
  method: string
  url: string
  headers: Headers
  body: Blob | Uint8Array | string
  signal: AbortSignal
  onProgress?: ProgressListener | undefined
}

/** The answer's headers, from `getAllResponseHeaders()` (`name: value` lines). */
function headersOf(xhr: XMLHttpRequest): Headers {
  const headers = new Headers()
  for (const line of xhr
    .getAllResponseHeaders()
    .trim()
    .split(/[\r\n]+/)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
  }
  return headers
}

/**
 * Sends an upload with XMLHttpRequest and answers it as a `Response`, so that the caller reads it as
 * it reads a `fetch` answer. `signal` aborts it (its reason is the error); a failure to reach the
 * service is `Unavailable`. Browsers set `Content-Length` themselves (a script may not).
 */
export function xhrUpload(upload: XhrUpload): Promise<Response> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open(upload.method, upload.url)
    upload.headers.forEach((value, name) => {
      if (name !== 'content-length') xhr.setRequestHeader(name, value)
    })
    const total =
      typeof upload.body === 'string'
        ? undefined
        : 'size' in upload.body
          ? upload.body.size
          : upload.body.byteLength
    xhr.upload.onprogress = (event) => upload.onProgress?.(event.loaded, total ?? event.total)
    xhr.onload = () => {
      const status = xhr.status
      const body = status === 204 || status === 304 ? null : xhr.responseText
      resolve(new Response(body, { status, statusText: xhr.statusText, headers: headersOf(xhr) }))
    }
    xhr.onerror = () =>
      reject(new CofferError('Unavailable', 0, `cannot reach ${new URL(upload.url).origin}`))
    const abort = () => {
      xhr.abort()
      reject(upload.signal.reason)
    }
    if (upload.signal.aborted) return abort()
    upload.signal.addEventListener('abort', abort, { once: true })
    xhr.onloadend = () => upload.signal.removeEventListener('abort', abort)
    upload.onProgress?.(0, total)
    xhr.send(upload.body as XMLHttpRequestBodyInit)
  })
}
