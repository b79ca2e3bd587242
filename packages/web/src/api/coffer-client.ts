import { CofferClient, isCofferError, type ListOptions, type ListPage } from '@coffer/client'
import type { ListQuery, ObjectDetails, Usage, Whoami } from './types.ts'

// The web UI talks to Coffer through `@coffer/client`. What is here is the UI's side of it: where
// the content origin is, and the calls whose answer the UI reads its own way (an older server
// without a route, a listing's filters it does not know).

export type { CofferClient }

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

/** A client of the Coffer that served this page (same origin), with one credential as bearer token. */
export function connect(token: string): CofferClient {
  return new CofferClient({ url: location.origin, token, contentUrl: contentOrigin() })
}

/** Who the credential is and what it may do; undefined where the server has no whoami route. */
export async function whoamiOf(client: CofferClient): Promise<Whoami | undefined> {
  try {
    return await client.whoami()
  } catch (error) {
    if (isCofferError(error, 'NotFound')) return undefined
    throw error
  }
}

/** Whether the credential administers the whole service (it may list API keys). */
export async function isAdmin(client: CofferClient): Promise<boolean> {
  try {
    await client.keys.list()
    return true
  } catch (error) {
    if (isCofferError(error, 'AccessDenied', 'MissingCredentials')) return false
    throw error
  }
}

/** The bucket's usage, or undefined where the server has no usage route (yet). */
export async function bucketUsage(client: CofferClient, bucket: string): Promise<Usage | undefined> {
  try {
    return await client.usage(bucket)
  } catch (error) {
    if (isCofferError(error, 'NotFound', 'InvalidArgument')) return undefined
    throw error
  }
}

/**
 * One page of a listing. The sort and filters go to the server; a server that does not know them
 * ignores them or answers 400, and then the page is asked for again without them (the caller
 * sorts and filters what it loaded, which is right either way).
 */
export async function listPage(
  client: CofferClient,
  bucket: string,
  query: ListQuery,
  signal?: AbortSignal,
): Promise<ListPage> {
  const { sort, order, q, type, ...plain } = query
  const base: ListOptions = { ...plain, limit: query.limit ?? 1000, signal }
  const filtered: ListOptions = { ...base, sort, order, q: q || undefined, type: type || undefined }
  if (sort === undefined && order === undefined && !filtered.q && !filtered.type)
    return client.objects.listPage(bucket, base)
  try {
    return await client.objects.listPage(bucket, filtered)
  } catch (error) {
    if (!isCofferError(error, 'InvalidArgument')) throw error
    return client.objects.listPage(bucket, base)
  }
}

/**
 * One page of a search by name through every folder under `query.prefix`. Unlike `listPage`, a
 * server that does not know `name` is an error here, not a cue to list everything unfiltered.
 */
export function searchPage(
  client: CofferClient,
  bucket: string,
  query: ListQuery & { name: string },
  signal?: AbortSignal,
): Promise<ListPage> {
  const { q: _q, delimiter: _delimiter, type, ...rest } = query
  return client.objects.listPage(bucket, {
    ...rest,
    type: type || undefined,
    limit: query.limit ?? 200,
    signal,
  })
}

/** What the details panel shows of an object: its HEAD, with its key. */
export async function objectDetails(
  client: CofferClient,
  bucket: string,
  key: string,
): Promise<ObjectDetails> {
  const head = await client.objects.head(bucket, key)
  return { ...head, key, contentType: head.contentType || 'application/octet-stream' }
}

/** The object's bytes (or its first bytes, with `range`) as a Blob, for previews and downloads. */
export async function objectBlob(
  client: CofferClient,
  bucket: string,
  key: string,
  options: { signal?: AbortSignal; range?: string } = {},
): Promise<Blob> {
  const { body } = await client.objects.download(bucket, key, options)
  return new Response(body).blob()
}
