import type { CofferClient, ListPage, ObjectSummary } from '@coffer/client'
import type { CofferUrl } from '../coffer-url.ts'

/** A listed object, as the service lists it (`contentType` and `sha256` where the listing has them). */
export type RemoteObject = ObjectSummary

/**
 * Every page of a listing under `prefix`, following cursors; one level with `delimiter: '/'`; pages
 * of `limit` entries when given (the service's default otherwise).
 */
export function listPages(
  client: CofferClient,
  bucket: string,
  prefix: string,
  delimiter?: string,
  limit?: number,
): AsyncGenerator<ListPage> {
  return client.objects.listPages(bucket, { prefix, delimiter, limit })
}

/** A key or prefix taken as a folder: empty (the whole bucket) or ending in `/`. */
export function folderPrefix(key: string): string {
  return key === '' || key.endsWith('/') ? key : `${key}/`
}

/**
 * Every object under a folder, by its key relative to the folder. Folder markers (keys ending in
 * `/`) are left out: they hold no file.
 */
export async function walkPrefix(
  client: CofferClient,
  folder: CofferUrl,
): Promise<Map<string, RemoteObject>> {
  const prefix = folderPrefix(folder.key)
  const objects = new Map<string, RemoteObject>()
  for await (const page of listPages(client, folder.bucket, prefix)) {
    for (const object of page.objects) {
      if (!object.key.endsWith('/')) objects.set(object.key.slice(prefix.length), object)
    }
  }
  return objects
}
