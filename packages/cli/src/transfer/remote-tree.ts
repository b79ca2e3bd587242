import type { Client } from '../client.ts'
import type { CofferUrl } from '../coffer-url.ts'

/** A listed object, as the service lists it (`contentType` and `sha256` where the listing has them). */
export interface RemoteObject {
  key: string
  size: number
  etag: string
  lastModified: string
  contentType?: string
  sha256?: string
}

/** One page of a listing. */
export interface ListPage {
  objects: RemoteObject[]
  prefixes: string[]
  cursor?: string
}

/**
 * Every page of a listing under `prefix`, following cursors; one level with `delimiter: '/'`; pages
 * of `limit` entries when given (the service's default otherwise).
 */
export async function* listPages(
  client: Client,
  bucket: string,
  prefix: string,
  delimiter?: string,
  limit?: number,
): AsyncGenerator<ListPage> {
  let cursor: string | undefined
  do {
    const query = new URLSearchParams({ prefix })
    if (delimiter !== undefined) query.set('delimiter', delimiter)
    if (cursor !== undefined) query.set('cursor', cursor)
    if (limit !== undefined) query.set('limit', String(limit))
    const page = await client.json<ListPage>(`/v1/buckets/${encodeURIComponent(bucket)}/objects?${query}`)
    yield page
    cursor = page.cursor
  } while (cursor !== undefined)
}

/** A key or prefix taken as a folder: empty (the whole bucket) or ending in `/`. */
export function folderPrefix(key: string): string {
  return key === '' || key.endsWith('/') ? key : `${key}/`
}

/**
 * Every object under a folder, by its key relative to the folder. Folder markers (keys ending in
 * `/`) are left out: they hold no file.
 */
export async function walkPrefix(client: Client, folder: CofferUrl): Promise<Map<string, RemoteObject>> {
  const prefix = folderPrefix(folder.key)
  const objects = new Map<string, RemoteObject>()
  for await (const page of listPages(client, folder.bucket, prefix)) {
    for (const object of page.objects) {
      if (!object.key.endsWith('/')) objects.set(object.key.slice(prefix.length), object)
    }
  }
  return objects
}
