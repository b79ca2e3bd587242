import { CofferError, errorOfResponse } from './coffer-error.ts'
import type { ProgressListener } from './upload-body.ts'
import { xhrUpload } from './xhr-upload.ts'

/** What every call takes to stop early: the caller's signal, and a time limit. */
export interface CallOptions {
  /** Aborts the call (and a download's body still being read): it fails with `Aborted`. */
  signal?: AbortSignal | undefined
  /**
   * Milliseconds until the service's answer arrives (its headers; an upload's body is sent before
   * that), after which the call fails with `Timeout`. A download's body, read afterwards, is bounded
   * by `signal` only. Default: the client's `timeout` for ordinary calls, none for uploads and downloads.
   */
  timeout?: number | undefined
}

/** Where the service is and how to prove who the caller is. */
export interface TransportOptions {
  /** The API origin, such as `http://localhost:7373`. */
  url: string
  /** An API key or a JWT, sent as `Authorization: Bearer`; a function is asked before every call. */
  token?: string | (() => string | undefined | Promise<string | undefined>) | undefined
  /** The default `timeout` of calls other than uploads and downloads, in ms; default 30 000, 0 for none. */
  timeout?: number | undefined
  /** The `fetch` to use; default the global one (Node ≥ 22 and browsers have it). */
  fetch?: typeof fetch | undefined
}

/** One request to the API. */
export interface ApiRequest extends CallOptions {
  method?: string
  /** A path under the API origin (`/v1/…`) or an absolute URL on the service (a tus upload's). */
  path: string
  query?: Record<string, string | number | boolean | undefined> | undefined
  headers?: Record<string, string> | undefined
  body?: BodyInit | undefined
  /** Whether `timeout` defaults to the client's (ordinary calls) or to none (transfers). */
  transfer?: boolean | undefined
  /** Sends the body (a Blob, bytes or text) with XMLHttpRequest, reporting progress: see `uploadRequest`. */
  xhrProgress?: ProgressListener | undefined
}

/** Characters an HTTP header value may hold (RFC 9110 §5.5), for a token pasted with a stray byte. */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/

/** Whether a token can be sent in a header as it is (printable ASCII and tabs only). */
export function isHeaderSafe(token: string): boolean {
  return HEADER_VALUE.test(token)
}

/**
 * Sends requests to Coffer's API with the caller's credential, and turns every failure into a
 * `CofferError`: refusals by their problem document, network failures as `Unavailable`, time limits
 * as `Timeout`, aborts as `Aborted`. It depends on nothing but `fetch`, `AbortController` and
 * `Headers`, which Node and browsers share.
 */
export class HttpTransport {
  /** The API origin, without a trailing slash. */
  readonly base: string
  readonly #options: TransportOptions
  readonly #fetch: typeof fetch

  constructor(options: TransportOptions) {
    this.base = options.url.replace(/\/+$/, '')
    this.#options = options
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  }

  /** The `Authorization` header's value for this call, if the client has a credential. */
  async authorization(): Promise<string | undefined> {
    const { token } = this.#options
    const value = typeof token === 'function' ? await token() : token
    if (value === undefined || value === '') return undefined
    if (!isHeaderSafe(value))
      throw new CofferError('MissingCredentials', 0, 'the token holds characters no header can carry')
    return `Bearer ${value}`
  }

  /** The absolute URL of a path under the API origin, with its query. */
  url(path: string, query: ApiRequest['query'] = {}): string {
    const url = new URL(path.startsWith('/') ? `${this.base}${path}` : path)
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value))
    }
    return url.toString()
  }

  /**
   * Sends the request; an answer other than 2xx/304 throws its `CofferError`. A transfer's answer is
   * returned with its body unread (a download's bytes, still abortable by the signal); any other
   * answer's body is discarded, so that its connection is free again.
   */
  send(request: ApiRequest): Promise<Response> {
    if (request.transfer === true) return this.#exchange(request, async (response) => response, true)
    return this.#exchange(request, async (response) => {
      await response.body?.cancel()
      return response
    })
  }

  /** Sends the request (a JSON body when `json` is given) and parses the JSON answer. */
  json<T>(request: ApiRequest & { json?: unknown }): Promise<T> {
    const { json, ...rest } = request
    const init: ApiRequest =
      json === undefined
        ? rest
        : {
            ...rest,
            body: JSON.stringify(json),
            headers: { ...rest.headers, 'content-type': 'application/json' },
          }
    return this.#exchange(init, async (response) =>
      response.status === 204 ? (undefined as T) : ((await response.json()) as T),
    )
  }

  /**
   * One request and the reading of its answer (`read`), both under the call's signal and time limit.
   * The listener on the caller's signal is removed once `read` is done, unless the body is left to
   * the caller (`keepListening`): one signal shared by a long loop of calls must not gather them.
   */
  async #exchange<T>(
    request: ApiRequest,
    read: (response: Response) => Promise<T>,
    keepListening = false,
  ): Promise<T> {
    const headers = new Headers(request.headers)
    const authorization = await this.authorization()
    if (authorization !== undefined) headers.set('authorization', authorization)
    const timeout = request.timeout ?? (request.transfer ? undefined : (this.#options.timeout ?? 30_000))
    const controller = new AbortController()
    const timedOut = new CofferError('Timeout', 0, `no answer from ${this.base} within ${timeout} ms`)
    const timer = timeout ? setTimeout(() => controller.abort(timedOut), timeout) : undefined
    const onAbort = () =>
      controller.abort(
        new CofferError('Aborted', 0, 'the call was aborted', { cause: request.signal?.reason }),
      )
    if (request.signal?.aborted) onAbort()
    request.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const response = await this.#dispatch(request, headers, controller.signal)
      if (response.ok || response.status === 304) return await read(response)
      throw await errorOfResponse(response)
    } catch (error) {
      if (error instanceof CofferError) throw error
      if (controller.signal.aborted && controller.signal.reason instanceof CofferError)
        throw controller.signal.reason
      throw unreachable(this.base, error)
    } finally {
      clearTimeout(timer)
      if (!keepListening) request.signal?.removeEventListener('abort', onAbort)
    }
  }

  /** Sends the request with `fetch`, or with XMLHttpRequest for a browser upload with progress. */
  #dispatch(request: ApiRequest, headers: Headers, signal: AbortSignal): Promise<Response> {
    const url = this.url(request.path, request.query)
    const method = request.method ?? 'GET'
    if (request.xhrProgress !== undefined) {
      const body = request.body as Blob | Uint8Array | string
      return xhrUpload({ method, url, headers, body, signal, onProgress: request.xhrProgress })
    }
    const hasBody = request.body !== undefined && request.body !== null
    return this.#fetch(url, {
      method,
      headers,
      signal,
      // Per the Fetch standard, a request that may follow redirects is sent as a clone, and cloning a
      // streamed body tees it: the unread branch would keep every chunk. The API never redirects a
      // request with a body.
      redirect: hasBody ? 'error' : 'follow',
      ...(hasBody ? { body: request.body, duplex: 'half' } : {}),
    } as RequestInit)
  }
}

/** A failure to reach the service, with the reason `fetch` hides in its cause (undici's `fetch failed`). */
function unreachable(base: string, error: unknown): CofferError {
  const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause
  const reason = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message
  return new CofferError('Unavailable', 0, `cannot reach ${base}: ${reason}`, { cause: error })
}
