import type { CofferClient } from '@coffer/client'
import { parseCofferUrl } from '../coffer-url.ts'
import { print, printJson } from '../output.ts'
import { listPages, type RemoteObject } from '../transfer/remote-tree.ts'
import { formatBytes } from '../units.ts'

/** Options of `coffer ls`. */
export interface LsOptions {
  recursive?: boolean
  json?: boolean
  /** Sizes as `1.5 MiB` instead of bytes (as `aws s3 ls --human-readable`). */
  humanReadable?: boolean
  /** A last line with the number of objects and their total size (as `aws s3 ls --summarize`). */
  summarize?: boolean
}

/**
 * `coffer ls [coffer://BUCKET[/PREFIX]]`: buckets, or one level (or all, with -r) of a prefix: size,
 * date, type (when the listing has it) and name. Names are relative to the prefix's folder, as
 * `aws s3 ls` and `rclone ls` print them; `--json` keeps the full keys.
 */
export async function ls(
  client: CofferClient,
  target: string | undefined,
  options: LsOptions,
): Promise<void> {
  if (target === undefined) {
    const buckets = await client.buckets.list()
    if (options.json) return printJson(buckets)
    for (const bucket of buckets) print(`${bucket.name}${bucket.public ? '  (public)' : ''}`)
    return
  }
  const { bucket, key: prefix } = parseCofferUrl(target)
  const objects: RemoteObject[] = []
  const prefixes: string[] = []
  for await (const page of listPages(client, bucket, prefix, options.recursive ? undefined : '/')) {
    objects.push(...page.objects)
    prefixes.push(...page.prefixes)
  }
  if (options.json) return printJson({ objects, prefixes })
  // `docs/` lists `a.txt`; `docs/re` lists `report.pdf` (the part after the prefix's last `/`).
  const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1)
  const name = (key: string) => key.slice(folder.length)
  const size = (bytes: number) => (options.humanReadable ? formatBytes(bytes) : String(bytes))
  const typeWidth = Math.max(1, ...objects.map((o) => o.contentType?.length ?? 0))
  const columns = (size: string, date: string, type: string, name: string) =>
    print(`${size.padStart(10)}  ${date.padEnd(24)}  ${type.padEnd(typeWidth)}  ${name}`)
  for (const sub of prefixes) columns('', '', '', name(sub))
  for (const o of objects) columns(size(o.size), o.lastModified, o.contentType ?? '-', name(o.key))
  if (options.summarize) {
    const total = objects.reduce((sum, o) => sum + o.size, 0)
    print('')
    print(`Total Objects: ${objects.length}`)
    print(`   Total Size: ${size(total)}`)
  }
}
