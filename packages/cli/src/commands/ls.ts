import type { Client } from '../client.ts'
import { encodeKey, parseCofferUrl } from '../coffer-url.ts'

interface Page {
  objects: { key: string; size: number; etag: string; lastModified: string }[]
  prefixes: string[]
  cursor?: string
}

/** Options of `coffer ls`. */
export interface LsOptions {
  recursive?: boolean
  json?: boolean
}

/** `coffer ls [coffer://BUCKET[/PREFIX]]`: buckets, or one level (or all, with -r) of a prefix. */
export async function ls(client: Client, target: string | undefined, options: LsOptions): Promise<void> {
  if (target === undefined) {
    const { buckets } = await client.json<{ buckets: { name: string; public: boolean }[] }>('/v1/buckets')
    if (options.json) return print(JSON.stringify(buckets))
    for (const bucket of buckets) print(`${bucket.name}${bucket.public ? '  (public)' : ''}`)
    return
  }
  const { bucket, key: prefix } = parseCofferUrl(target)
  const objects: Page['objects'] = []
  const prefixes: string[] = []
  let cursor: string | undefined
  do {
    const query = new URLSearchParams({ prefix })
    if (!options.recursive) query.set('delimiter', '/')
    if (cursor !== undefined) query.set('cursor', cursor)
    const page = await client.json<Page>(`/v1/buckets/${encodeKey(bucket)}/objects?${query}`)
    objects.push(...page.objects)
    prefixes.push(...page.prefixes)
    cursor = page.cursor
  } while (cursor !== undefined)
  if (options.json) return print(JSON.stringify({ objects, prefixes }))
  for (const folder of prefixes) print(`${''.padStart(10)}  ${''.padEnd(24)}  ${folder}`)
  for (const object of objects) {
    print(`${String(object.size).padStart(10)}  ${object.lastModified.padEnd(24)}  ${object.key}`)
  }
}

function print(line: string): void {
  process.stdout.write(`${line}\n`)
}
