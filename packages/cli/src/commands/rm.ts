import { createInterface } from 'node:readline/promises'
import type { CofferClient } from '@coffer/client'
import { parseCofferUrl, UsageError } from '../coffer-url.ts'
import { deleteObjects } from '../transfer/delete-objects.ts'
import { listPages } from '../transfer/remote-tree.ts'
import { objectRef } from './cat.ts'

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
export async function rm(client: CofferClient, target: string, options: RmOptions): Promise<void> {
  if (!options.recursive) {
    const ref = objectRef(target)
    await client.objects.delete(ref.bucket, ref.key)
    return
  }
  const { bucket, key: prefix } = parseCofferUrl(target)
  if (!options.force) {
    if (!process.stdin.isTTY) throw new UsageError('rm -r needs --force when stdin is not a terminal')
    if (!(await confirm(`delete every object under ${target}?`))) throw new UsageError('not confirmed')
  }
  // The service takes no empty prefix (a slip would empty a bucket): the whole bucket goes by its keys.
  const deleted = await deleteObjects(
    client,
    bucket,
    prefix === '' ? { keys: await allKeys(client, bucket) } : { prefix },
  )
  process.stderr.write(`deleted ${deleted} object(s)\n`)
}

async function allKeys(client: CofferClient, bucket: string): Promise<string[]> {
  const keys: string[] = []
  for await (const page of listPages(client, bucket, '')) keys.push(...page.objects.map((o) => o.key))
  return keys
}
