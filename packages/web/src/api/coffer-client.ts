import { ApiError, errorOf } from './api-error.ts'
import type { Bucket, ListPage, ListQuery, ObjectDetails, PolicyInput, Usage, Whoami } from './types.ts'

/** The path of an object route: each key segment percent-encoded, as the server expects. */
export function objectPath(bucket: string, key: string): string {
  const encoded = key.split('/').map(encodeURIComponent).join('/')
  return `/v1/buckets/${encodeURIComponent(bucket)}/objects/${encoded}`
}

/**
 * The content origin: where Coffer serves user bytes (public and signed URLs), never where the UI
 * keeps its key. The server names it in the page (`<meta name="coffer-content-origin">`); without
 * it (the Vite dev server), this origin, whose `/public` and `/signed` redirect there.
 */
export function contentOrigin(doc: Pick<Document, 'querySelector'> = document): string {
  const meta = doc.querySelector<HTMLMetaElement>('meta[name="coffer-content-origin"]')
  return meta?.content || location.origin
}

/** Whether a URL (a signed one) is on the content origin, which the UI's CSP lets previews load from. */
export function onContentOrigin(url: string): boolean {
  return new URL(url, location.href).origin === contentOrigin()
}

/** The anonymous URL of an object of a public bucket, on the content origin. */
export function publicUrl(bucket: string, key: string, origin = contentOrigin()): string {
  return `${origin}/public/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`
}

/** Headers are Latin-1 on the wire; metadata values are UTF-8 bytes in them. */
function fromHeader(value: string): string {
  if (!/[\x80-\xff]/.test(value)) return value
  const bytes = Uint8Array.from(value, (c) => c.charCodeAt(0))
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return value
  }
}

/**
 * Coffer's REST API, same origin, with one credential (an API key or a JWT) as a bearer token.
 * Every method throws `ApiError` with the server's problem document on a non-2xx answer.
 */
export class CofferClient {
  readonly token: string

  constructor(token: string) {
    this.token = token
  }

  /** A request with the credential; throws ApiError unless the answer is 2xx. */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    headers.set('authorization', `Bearer ${this.token}`)
    let response: Response
    try {
      response = await fetch(path, { ...init, headers })
    } catch (cause) {
      if (init.signal?.aborted) throw cause
      throw new ApiError(0, { detail: 'The server could not be reached.' })
    }
    if (!response.ok) throw await errorOf(response)
    return response
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    return (await (await this.request(path, init)).json()) as T
  }

  private send<T>(method: string, path: string, body: unknown): Promise<T> {
    return this.json<T>(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  }

  async buckets(): Promise<Bucket[]> {
    return (await this.json<{ buckets: Bucket[] }>('/v1/buckets')).buckets
  }

  /** Who the credential is and what it may do; undefined where the server has no whoami route. */
  async whoami(): Promise<Whoami | undefined> {
    try {
      return await this.json<Whoami>('/v1/whoami')
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined
      throw error
    }
  }

  /** Whether the credential administers the whole service (it may list API keys). */
  async isAdmin(): Promise<boolean> {
    try {
      await this.request('/v1/keys')
      return true
    } catch (error) {
      if (error instanceof ApiError && (error.status === 403 || error.status === 401)) return false
      throw error
    }
  }

  createBucket(name: string, policy: PolicyInput): Promise<Bucket> {
    return this.send('POST', '/v1/buckets', { name, ...policy })
  }

  updateBucket(name: string, policy: PolicyInput): Promise<Bucket> {
    return this.send('PATCH', `/v1/buckets/${encodeURIComponent(name)}`, policy)
  }

  /** The bucket's usage, or undefined where the server has no usage route (yet). */
  async usage(bucket: string): Promise<Usage | undefined> {
    try {
      return await this.json<Usage>(`/v1/buckets/${encodeURIComponent(bucket)}/usage`)
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return undefined
      throw error
    }
  }

  /**
   * One page of a listing. The sort and filters go to the server; a server that does not know them
   * ignores them or answers 400, and then the page is asked for again without them (the caller
   * sorts and filters what it loaded, which is right either way).
   */
  async list(bucket: string, query: ListQuery, signal?: AbortSignal): Promise<ListPage> {
    const base = new URLSearchParams({ prefix: query.prefix })
    if (query.delimiter !== undefined) base.set('delimiter', query.delimiter)
    if (query.cursor !== undefined) base.set('cursor', query.cursor)
    base.set('limit', String(query.limit ?? 1000))
    const filtered = new URLSearchParams(base)
    if (query.sort !== undefined) filtered.set('sort', query.sort)
    if (query.order !== undefined) filtered.set('order', query.order)
    if (query.q) filtered.set('q', query.q)
    if (query.type) filtered.set('type', query.type)
    const path = `/v1/buckets/${encodeURIComponent(bucket)}/objects?`
    const init = signal === undefined ? {} : { signal }
    if (filtered.toString() === base.toString()) return this.json(path + base, init)
    try {
      return await this.json<ListPage>(path + filtered, init)
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 400) throw error
      return this.json(path + base, init)
    }
  }

  /**
   * One page of a search by name through every folder under `query.prefix`. Unlike `list`, a server
   * that does not know `name` is an error here, not a cue to list everything unfiltered.
   */
  search(bucket: string, query: ListQuery & { name: string }, signal?: AbortSignal): Promise<ListPage> {
    const params = new URLSearchParams({ prefix: query.prefix, name: query.name })
    params.set('limit', String(query.limit ?? 200))
    if (query.cursor !== undefined) params.set('cursor', query.cursor)
    if (query.sort !== undefined) params.set('sort', query.sort)
    if (query.order !== undefined) params.set('order', query.order)
    if (query.type) params.set('type', query.type)
    const path = `/v1/buckets/${encodeURIComponent(bucket)}/objects?${params}`
    return this.json(path, signal === undefined ? {} : { signal })
  }

  async head(bucket: string, key: string): Promise<ObjectDetails> {
    const response = await this.request(objectPath(bucket, key), { method: 'HEAD' })
    const h = response.headers
    const metadata: Record<string, string> = {}
    h.forEach((value, name) => {
      if (name.startsWith('x-coffer-meta-')) metadata[name.slice(14)] = fromHeader(value)
    })
    const details: ObjectDetails = {
      key,
      size: Number(h.get('content-length') ?? 0),
      contentType: h.get('content-type') ?? 'application/octet-stream',
      etag: h.get('etag') ?? '',
      lastModified: new Date(h.get('last-modified') ?? 0).toISOString(),
      metadata,
    }
    // The API answers `Cache-Control: private`; the object's own is in x-coffer-cache-control.
    const cacheControl = h.get('x-coffer-cache-control')
    if (cacheControl !== null) details.cacheControl = cacheControl
    return details
  }

  /** The object's bytes (or its first bytes, with `range`). */
  async blob(
    bucket: string,
    key: string,
    init: { signal?: AbortSignal; range?: string } = {},
  ): Promise<Blob> {
    const headers: Record<string, string> = init.range === undefined ? {} : { range: init.range }
    const request: RequestInit = { headers }
    if (init.signal !== undefined) request.signal = init.signal
    return (await this.request(objectPath(bucket, key), request)).blob()
  }

  /** Writes a zero-byte object: `folder/` is a folder marker, as in the S3 console. */
  async putEmpty(bucket: string, key: string): Promise<void> {
    await this.request(objectPath(bucket, key), { method: 'PUT', body: new Uint8Array(0) })
  }

  async deleteKeys(bucket: string, keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      await this.send('POST', `/v1/buckets/${encodeURIComponent(bucket)}/delete`, {
        keys: keys.slice(i, i + 1000),
      })
    }
  }

  /** Deletes every key under a folder's prefix (`photos/2024/`). */
  async deletePrefix(bucket: string, prefix: string): Promise<void> {
    await this.send('POST', `/v1/buckets/${encodeURIComponent(bucket)}/delete`, { prefix })
  }

  move(bucket: string, from: string, to: string): Promise<unknown> {
    return this.send('POST', `/v1/buckets/${encodeURIComponent(bucket)}/move`, { from, to })
  }

  /**
   * A signed GET URL that works without credentials until it expires, on the content origin (or the
   * store's own, where the driver signs). `pin` fixes the response's type and disposition.
   */
  sign(
    bucket: string,
    key: string,
    expiresIn: number,
    pin: { contentType?: string; contentDisposition?: string } = {},
  ): Promise<{ url: string; expiresAt: string }> {
    const body: Record<string, unknown> = { key, method: 'GET', expiresIn, ...pin }
    return this.send('POST', `/v1/buckets/${encodeURIComponent(bucket)}/sign`, body)
  }

  /**
   * A two-minute link that downloads objects and folders (keys ending in `/`) as one zip, with names
   * below `base`; the server checks the credential on each and refuses a selection over its limits.
   */
  zipLink(bucket: string, keys: readonly string[], base: string): Promise<{ url: string }> {
    return this.send('POST', `/v1/buckets/${encodeURIComponent(bucket)}/zip`, { keys, base })
  }

  /** Creates a short-lived API key (admin); its token goes into a sign-in link. */
  async createKey(name: string, scopes: unknown[], expiresAt: Date): Promise<string> {
    const body = { name, scopes, expiresAt: expiresAt.toISOString() }
    return (await this.send<{ token: string }>('POST', '/v1/keys', body)).token
  }
}
