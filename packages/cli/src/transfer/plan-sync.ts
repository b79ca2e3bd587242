import type { CofferClient } from '@coffer/client'
import { type CofferUrl, formatCofferUrl, isCofferUrl, parseCofferUrl, UsageError } from '../coffer-url.ts'
import { type LocalFile, walkFolder } from './local-tree.ts'
import { filtered, type NameFilter } from './name-filter.ts'
import { localPathOf } from './plan-copy.ts'
import { folderPrefix, type RemoteObject, walkPrefix } from './remote-tree.ts'
import { runPool } from './run-pool.ts'
import { sameContent } from './same-content.ts'
import { displayPath, type Transfer } from './transfer.ts'

/** Something `sync --delete` removes from the destination. */
export type Deletion = { kind: 'local'; path: string } | { kind: 'remote'; ref: CofferUrl }

/** What a sync does: the transfers, the deletions (with `--delete`), and how many files were current. */
export interface SyncPlan {
  direction: 'up' | 'down'
  transfers: Transfer[]
  deletions: Deletion[]
  unchanged: number
}

/** A deletion for messages and reports. */
export function describeDeletion(deletion: Deletion): string {
  return deletion.kind === 'local' ? displayPath(deletion.path) : formatCofferUrl(deletion.ref)
}

/**
 * Compares a local folder and a `coffer://` prefix (SRC → DST, either way) and plans the one-way
 * mirror: files missing or different at the destination are transferred (see `sameContent`; with
 * `noClobber`, only missing ones), and with `remove`, files only at the destination are deleted.
 * Names `filter` leaves out are neither transferred nor deleted (as with `aws s3 sync --exclude`). Comparisons run `concurrency` at a time
 * (they may read files to hash them).
 */
export async function planSync(
  client: CofferClient,
  src: string,
  dst: string,
  options: { remove: boolean; concurrency: number; filter?: NameFilter; noClobber?: boolean },
): Promise<SyncPlan> {
  if (isCofferUrl(src) === isCofferUrl(dst)) {
    throw new UsageError('sync needs one local folder and one coffer:// prefix')
  }
  const up = !isCofferUrl(src)
  const remote = parseCofferUrl(up ? dst : src)
  const local = up ? src : dst
  const prefix = folderPrefix(remote.key)
  const filter = options.filter ?? (() => true)
  const [files, objects] = await Promise.all([
    walkFolder(local).then((tree) => filtered(tree, filter)),
    walkPrefix(client, remote).then((tree) => filtered(tree, filter)),
  ])
  const sources: string[] = [...(up ? files.keys() : objects.keys())]
  const plan: SyncPlan = { direction: up ? 'up' : 'down', transfers: [], deletions: [], unchanged: 0 }
  const sides = { files, objects }
  const folder = { bucket: remote.bucket, key: prefix }
  const changed = new Set<string>()
  await runPool(sources, options.concurrency, async (name) => {
    const file = files.get(name)
    const object = objects.get(name)
    if (file === undefined || object === undefined) changed.add(name)
    else if (!options.noClobber && !(await sameContent(file, object, plan.direction))) {
      changed.add(name)
    }
  }).then(rethrowFirst)
  for (const name of sources) {
    if (!changed.has(name)) plan.unchanged++
    else plan.transfers.push(transferOf(name, up, sides, folder, local))
  }
  if (options.remove) plan.deletions = deletionsOf(up, sides, folder)
  return plan
}

interface Sides {
  files: Map<string, LocalFile>
  objects: Map<string, RemoteObject>
}

/** What is only at the destination: objects the folder lacks (up), or files the prefix lacks (down). */
function deletionsOf(up: boolean, { files, objects }: Sides, folder: CofferUrl): Deletion[] {
  if (up) {
    return [...objects.keys()]
      .filter((name) => !files.has(name))
      .map((name) => ({ kind: 'remote', ref: { bucket: folder.bucket, key: `${folder.key}${name}` } }))
  }
  return [...files]
    .filter(([name]) => !objects.has(name))
    .map(([, file]) => ({ kind: 'local', path: file.path }))
}

/** The transfer of a changed file (`name` is a key of the source side): the file up, or the object down. */
function transferOf(name: string, up: boolean, sides: Sides, folder: CofferUrl, local: string): Transfer {
  const ref = { bucket: folder.bucket, key: `${folder.key}${name}` }
  if (up) return { kind: 'upload', file: sides.files.get(name) as LocalFile, to: ref }
  const { size } = sides.objects.get(name) as RemoteObject
  return { kind: 'download', from: ref, path: localPathOf(local, name), size }
}

function rethrowFirst(failures: { error: unknown }[]): void {
  if (failures[0] !== undefined) throw failures[0].error
}
