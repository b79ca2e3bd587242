import { stat } from 'node:fs/promises'
import { basename, join, resolve, sep } from 'node:path'
import { type CofferClient, CofferError } from '@coffer/client'
import { type CofferUrl, isCofferUrl, parseCofferUrl, UsageError } from '../coffer-url.ts'
import { statFile, walkFolder } from './local-tree.ts'
import { filtered, type NameFilter } from './name-filter.ts'
import { folderPrefix, walkPrefix } from './remote-tree.ts'
import type { Transfer } from './transfer.ts'

/** The last segment of a key, for a destination that names a folder. */
function keyName(key: string): string {
  return key.split('/').filter(Boolean).pop() ?? ''
}

/** A key under a folder prefix, or the key itself when the destination names an object. */
function keyAt(to: CofferUrl, name: string): CofferUrl {
  return { bucket: to.bucket, key: to.key === '' || to.key.endsWith('/') ? `${to.key}${name}` : to.key }
}

/**
 * The local path of a key relative to a folder; refuses one that would leave the folder (the
 * service's key rules already forbid `..` segments, this is the second lock).
 */
export function localPathOf(root: string, relativeKey: string): string {
  const base = resolve(root)
  const path = resolve(base, ...relativeKey.split('/'))
  if (!path.startsWith(`${base}${sep}`))
    throw new CofferError('InvalidKey', 0, `key escapes ${root}: ${relativeKey}`)
  return path
}

/** Whether a local path is an existing folder (a path that does not exist is not). */
async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

/**
 * The transfers of `cp` (and `mv`): SRC and DST are local paths or `coffer://` addresses, at least one
 * remote. One file or object, or with `recursive` every file under a folder (its contents go under
 * the destination prefix, as with `aws s3 cp --recursive`). A destination ending in `/` (or an
 * existing local folder) takes the source's name. `filter` (`--include`/`--exclude`) chooses among
 * a tree's files by their names relative to the folder or prefix.
 */
export async function planCopy(
  client: CofferClient,
  src: string,
  dst: string,
  recursive: boolean,
  filter: NameFilter = () => true,
): Promise<Transfer[]> {
  const fromRemote = isCofferUrl(src)
  const toRemote = isCofferUrl(dst)
  if (!fromRemote && !toRemote) throw new UsageError('one of SRC and DST must be a coffer:// address')
  if (!fromRemote) {
    const to = parseCofferUrl(dst)
    const file = await statFile(src)
    if (!file.isDirectory)
      return [{ kind: 'upload', file, to: keyAt(to, basename(file.path).normalize('NFC')) }]
    if (!recursive) throw new UsageError(`${src} is a folder: use -r`)
    const prefix = folderPrefix(to.key)
    return [...filtered(await walkFolder(src), filter)].map(([name, file]) => ({
      kind: 'upload',
      file,
      to: { bucket: to.bucket, key: `${prefix}${name}` },
    }))
  }
  const from = parseCofferUrl(src)
  if (recursive) {
    const objects = filtered(await walkPrefix(client, from), filter)
    if (objects.size === 0) throw new CofferError('NotFound', 404, `no objects under ${src}`)
    const to = toRemote ? parseCofferUrl(dst) : undefined
    return [...objects.keys()].map((name): Transfer => {
      const source = { bucket: from.bucket, key: `${folderPrefix(from.key)}${name}` }
      return to
        ? { kind: 'copy', from: source, to: { bucket: to.bucket, key: `${folderPrefix(to.key)}${name}` } }
        : { kind: 'download', from: source, path: localPathOf(dst, name) }
    })
  }
  const name = keyName(from.key)
  if (name === '' || from.key.endsWith('/'))
    throw new UsageError(`no object key in ${src} (a folder needs -r)`)
  if (toRemote) return [{ kind: 'copy', from, to: keyAt(parseCofferUrl(dst), name) }]
  const path = dst.endsWith('/') || dst.endsWith(sep) || (await isFolder(dst)) ? join(dst, name) : dst
  return [{ kind: 'download', from, path: resolve(path) }]
}
