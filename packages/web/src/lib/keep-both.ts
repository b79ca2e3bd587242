import { isCofferError } from '@coffer/client'
import type { CofferClient } from '../api/coffer-client.ts'

/** How many numbered names "Keep both" tries before it gives up. */
export const MAX_COPIES = 99

/**
 * The key of the `n`th copy, as file managers name them: `a/notes.txt` → `a/notes (1).txt`,
 * `a/photos/` → `a/photos (1)/`, `.env` → `.env (1)` (a leading dot is no extension).
 */
export function copyName(key: string, n: number): string {
  const folder = key.endsWith('/')
  const path = folder ? key.slice(0, -1) : key
  const slash = path.lastIndexOf('/')
  const base = path.slice(slash + 1)
  const dot = folder ? -1 : base.lastIndexOf('.')
  const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, '']
  return `${path.slice(0, slash + 1)}${stem} (${n})${ext}${folder ? '/' : ''}`
}

/** Whether a key is taken: an object, or for a folder (`x/`) any key under it. */
export async function existsAt(client: CofferClient, bucket: string, key: string): Promise<boolean> {
  if (key.endsWith('/')) {
    const page = await client.objects.listPage(bucket, { prefix: key, limit: 1 })
    return page.objects.length > 0 || page.prefixes.length > 0
  }
  try {
    await client.objects.head(bucket, key)
    return true
  } catch (error) {
    if (isCofferError(error, 'NotFound')) return false
    throw error
  }
}

/** The first numbered copy of `key` that is free (`notes (1).txt`, `notes (2).txt`, …). */
export async function freeCopyName(client: CofferClient, bucket: string, key: string): Promise<string> {
  for (let n = 1; n <= MAX_COPIES; n++) {
    const candidate = copyName(key, n)
    if (!(await existsAt(client, bucket, candidate))) return candidate
  }
  throw new Error(`There are already ${MAX_COPIES} copies of ${key}; choose another name.`)
}
