import type { ListPage, ObjectSummary } from './api-types.ts'
import type { CallOptions, HttpTransport } from './http-transport.ts'
import { bucketPath } from './key-path.ts'

/** What a listing asks for: the server's filters and sorts, by the query names it takes. */
export interface ListOptions extends CallOptions {
  /** Only keys under this folder or string prefix. */
  prefix?: string | undefined
  /** Folds keys into common prefixes at this character (`/`): `ListPage.prefixes`. */
  delimiter?: string | undefined
  /** Where to start: a page's `cursor`. */
  cursor?: string | undefined
  /** Objects per page (the service's maximum when larger). */
  limit?: number | undefined
  sort?: 'name' | 'size' | 'modified' | undefined
  order?: 'asc' | 'desc' | undefined
  /** Content types, comma-separated, with wildcards (`image/*`). */
  type?: string | undefined
  minSize?: number | undefined
  maxSize?: number | undefined
  /** The key contains this text. */
  q?: string | undefined
  /** The name (after the last `/`) contains this text: without a delimiter, a search of every folder. */
  name?: string | undefined
  /** `store` lists the storage itself rather than the index (no filters or sorts). */
  source?: 'index' | 'store' | undefined
}

/** One page of a bucket's objects. */
export function listPage(
  transport: HttpTransport,
  bucket: string,
  options: ListOptions = {},
): Promise<ListPage> {
  const { signal, timeout, ...query } = options
  return transport.json<ListPage>({ path: `${bucketPath(bucket)}/objects`, query, signal, timeout })
}

/** Every page of a listing, each asked for when the previous one is used up. */
export async function* listPages(
  transport: HttpTransport,
  bucket: string,
  options: ListOptions = {},
): AsyncGenerator<ListPage> {
  let cursor = options.cursor
  do {
    const page = await listPage(transport, bucket, { ...options, cursor })
    yield page
    cursor = page.cursor
  } while (cursor !== undefined)
}

/** Every object of a listing, page after page. */
export async function* listObjects(
  transport: HttpTransport,
  bucket: string,
  options: ListOptions = {},
): AsyncGenerator<ObjectSummary> {
  for await (const page of listPages(transport, bucket, options)) yield* page.objects
}
