import { createInterface } from 'node:readline/promises'
import type { Client } from '../client.ts'
import { parseCofferUrl, UsageError } from '../coffer-url.ts'
import { objectPath } from './cat.ts'

/** Options of `coffer rm`. */
export interface RmOptions {
  recursive?: boolean
  force?: boolean
}

/** Asks y/N on the terminal; true only for an answer starting with y. */
async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return /^y/i.test((await rl.question(`${question} [y/N] `)).trim())
  } finally {
    rl.close()
  }
}

/** `coffer rm URL [-r] [--force]`: one object, or with -r every object under a prefix. */
export async function rm(client: Client, target: string, options: RmOptions): Promise<void> {
  if (!options.recursive) {
    await client.request(objectPath(target), { method: 'DELETE' })
    return
  }
  const { bucket, key: prefix } = parseCofferUrl(target)
  if (!options.force) {
    if (!process.stdin.isTTY) throw new UsageError('rm -r needs --force when stdin is not a terminal')
    if (!(await confirm(`delete every object under ${target}?`))) throw new UsageError('not confirmed')
  }
  const result = await client.json<{ deleted: string[]; errors: unknown[] }>(
    `/v1/buckets/${encodeURIComponent(bucket)}/delete`,
    'POST',
    { prefix },
  )
  process.stderr.write(`deleted ${result.deleted.length} object(s)\n`)
}
