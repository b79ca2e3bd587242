import { CofferError, isCofferError, isErrorCode } from '@coffer/client'
import { type CofferClient, objectBlob } from '../api/coffer-client.ts'
import { baseName } from './format.ts'

/** Where a renamed entry goes: a name stays in the folder, a path with `/` is from the bucket's root. */
export function renameTarget(from: string, input: string): string {
  const folder = from.endsWith('/')
  const parent = from.slice(0, from.slice(0, folder ? -1 : undefined).lastIndexOf('/') + 1)
  const name = input.trim().replace(/\/+$/, '')
  const target = name.startsWith('/') ? name.slice(1) : name.includes('/') ? name : parent + name
  return folder ? `${target}/` : target
}

/** Every key under a folder (no delimiter), page after page. */
export async function keysUnder(client: CofferClient, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = []
  let cursor: string | undefined
  do {
    const page = await client.objects.listPage(bucket, { prefix, cursor, limit: 1000 })
    keys.push(...page.objects.map((o) => o.key))
    cursor = page.cursor
  } while (cursor !== undefined)
  return keys
}

/**
 * Renames (moves) an object, or a folder by moving every key under it (there is no folder to rename:
 * a folder is its keys' common prefix). Create-only unless `replace`: a taken name fails with
 * `PreconditionFailed` and is not replaced, even one taken after the UI looked (see `moveUnlessTaken`).
 */
export async function renameEntry(
  client: CofferClient,
  bucket: string,
  from: string,
  to: string,
  opts: { replace?: boolean } = {},
): Promise<void> {
  if (from === to) return
  const options = opts.replace === true ? {} : { ifNoneMatch: '*' as const }
  if (!from.endsWith('/')) {
    await client.objects.move(bucket, from, to, options)
    return
  }
  for (const key of await keysUnder(client, bucket, from)) {
    await client.objects.move(bucket, key, to + key.slice(from.length), options)
  }
}

/**
 * Renames create-only; false when the name was taken (the service answered 412), so that the UI asks
 * Replace / Keep both / Cancel as if it had seen the name taken when it looked. A folder's keys moved
 * before the taken one stay moved.
 */
export async function moveUnlessTaken(
  client: CofferClient,
  bucket: string,
  from: string,
  to: string,
): Promise<boolean> {
  try {
    await renameEntry(client, bucket, from, to)
    return true
  } catch (error) {
    if (isCofferError(error, 'PreconditionFailed')) return false
    throw error
  }
}

/** Deletes objects by key and folders (keys ending in `/`) with everything under them. */
export async function deleteEntries(
  client: CofferClient,
  bucket: string,
  keys: readonly string[],
): Promise<void> {
  const objects = keys.filter((k) => !k.endsWith('/'))
  // The batch call takes a thousand keys at most; each key's failure is in its answer.
  for (let i = 0; i < objects.length; i += 1000)
    refuseFailures(await client.objects.deleteMany(bucket, { keys: objects.slice(i, i + 1000) }))
  // A folder's delete takes as long as it holds objects: no time limit (the client's is 30 s).
  for (const folder of keys.filter((k) => k.endsWith('/')))
    refuseFailures(await client.objects.deleteMany(bucket, { prefix: folder }, { timeout: 0 }))
}

/** A batch delete's first failed key as an error: the person must hear what was not deleted. */
function refuseFailures(result: { errors: { key: string; code: string; message: string }[] }): void {
  const [failed] = result.errors
  if (failed === undefined) return
  const code = isErrorCode(failed.code) ? failed.code : 'Internal'
  const more = result.errors.length > 1 ? ` (and ${result.errors.length - 1} more)` : ''
  throw new CofferError(code, 0, `${failed.key} was not deleted: ${failed.message}${more}`)
}

function clickLink(href: string, fileName?: string): void {
  const a = document.createElement('a')
  a.href = href
  if (fileName !== undefined) a.download = fileName
  a.rel = 'noopener'
  document.body.append(a)
  a.click()
  a.remove()
}

/**
 * Downloads an object without holding it in memory: the public URL for public buckets, else a
 * short signed link answering as an attachment; only without the sign permission is it fetched
 * with the key into a blob.
 */
export async function download(client: CofferClient, bucket: string, isPublic: boolean, key: string) {
  const name = baseName(key)
  if (isPublic) return clickLink(`${client.objects.publicUrl(bucket, key)}?download`)
  const disposition = `attachment; filename*=UTF-8''${encodeURIComponent(name)}`
  const signed = await client.objects
    .sign(bucket, key, { expiresIn: 300, contentDisposition: disposition })
    .catch(() => undefined)
  if (signed) return clickLink(signed.url)
  const blob = await objectBlob(client, bucket, key)
  const url = URL.createObjectURL(blob)
  clickLink(url, name)
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/**
 * Downloads the selected objects and folders as one zip. The server streams the archive as an
 * attachment from a short link, so the browser saves it to disk as it comes: never in memory here.
 */
export async function downloadZip(
  client: CofferClient,
  bucket: string,
  keys: readonly string[],
  base: string,
): Promise<void> {
  const { url } = await client.objects.zipLink(bucket, keys, { base })
  clickLink(url)
}
