import { exitCodeOfCode } from './exit-codes.ts'

/** An error the service answered (problem+json) or a failure to reach it, with the exit code to use. */
export class ApiError extends Error {
  override name = 'ApiError'
  readonly code: string
  readonly status: number
  readonly exitCode: number
  constructor(code: string, status: number, message: string) {
    super(message)
    this.code = code
    this.status = status
    this.exitCode = exitCodeOfCode(code)
  }
}

/** Where the service is and the key to use. */
export interface ClientOptions {
  url: string
  key?: string | undefined
}

/** A thin `fetch` wrapper over Coffer's REST API. */
export class Client {
  readonly #base: string
  readonly #key: string | undefined
  constructor(options: ClientOptions) {
    this.#base = options.url.replace(/\/+$/, '')
    this.#key = options.key
  }

  /** The service's address, without a trailing slash. */
  get base(): string {
    return this.#base
  }

  /**
   * Sends a request to `path` (under the base URL, or an absolute URL on the service such as a tus
   * upload's); answers other than 2xx/304 throw an `ApiError`.
   */
  async request(path: string, init: RequestInit & { duplex?: 'half' } = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.#key !== undefined && this.#key !== '') headers.set('authorization', `Bearer ${this.#key}`)
    const url = path.startsWith('/') ? `${this.#base}${path}` : path
    // Per the Fetch standard, a request that may follow redirects is sent as a clone, and cloning a
    // streamed body tees it: the unread branch keeps every chunk, so a 1 GiB upload held 1 GiB.
    // The API never redirects a request with a body.
    const redirect = init.body === undefined || init.body === null ? 'follow' : 'error'
    let response: Response
    try {
      response = await fetch(url, { redirect, ...init, headers })
    } catch (error) {
      // undici's `fetch failed` hides the reason in its cause, or in the cause's errors (one per address).
      const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } })
        .cause
      const reason = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message
      throw new ApiError('Unavailable', 0, `cannot reach ${this.#base}: ${reason}`)
    }
    if (response.ok) return response
    throw await problemOf(response)
  }

  /** Sends JSON (when `body` is given) and parses the JSON answer. */
  async json<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
    const init: RequestInit = { method }
    if (body !== undefined) {
      init.body = JSON.stringify(body)
      init.headers = { 'content-type': 'application/json' }
    }
    const response = await this.request(path, init)
    return (await response.json()) as T
  }
}

/** Reads a problem+json answer into an `ApiError`; other bodies get a code from the status. */
async function problemOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '')
  try {
    const problem = JSON.parse(text) as { code?: string; detail?: string; title?: string }
    if (typeof problem.code === 'string') {
      return new ApiError(problem.code, response.status, problem.detail ?? problem.title ?? problem.code)
    }
  } catch {}
  const code =
    response.status === 404
      ? 'NotFound'
      : response.status === 401
        ? 'MissingCredentials'
        : response.status === 403
          ? 'AccessDenied'
          : response.status >= 500
            ? 'Internal'
            : 'InvalidArgument'
  return new ApiError(code, response.status, `${response.status} ${response.statusText}`)
}
