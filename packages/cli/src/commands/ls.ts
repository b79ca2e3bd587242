import type { Client } from '../client.ts'
import { parseCofferUrl } from '../coffer-url.ts'
import { print, printJson } from '../output.ts'
import { listPages, type RemoteObject } from '../transfer/remote-tree.ts'

/** Options of `coffer ls`. */
export interface LsOptions {
  recursive?: boolean
  json?: boolean
}

/**
 * `coffer ls [coffer://BUCKET[/PREFIX]]`: buckets, or one level (or all, with -r) of a prefix: size,
 * date, type (when the listing has it) and key.
 */
export async function ls(client: Client, target: string | undefined, options: LsOptions): Promise<void> {
  if (target === undefined) {
    const { buckets } = await client.json<{ buckets: { name: string; public: boolean }[] }>('/v1/buckets')
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
  const typeWidth = Math.max(1, ...objects.map((o) => o.contentType?.length ?? 0))
  const columns = (size: string, date: string, type: string, name: string) =>
    print(`${size.padStart(10)}  ${date.padEnd(24)}  ${type.padEnd(typeWidth)}  ${name}`)
  for (const folder of prefixes) columns('', '', '', folder)
  for (const o of objects) columns(String(o.size), o.lastModified, o.contentType ?? '-', o.key)
}
