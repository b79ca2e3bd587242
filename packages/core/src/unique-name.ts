import slugify from '@sindresorhus/slugify'
import { monotonicFactory } from 'ulid'
import { StorageError } from './errors.ts'
import { type NormalizedKey, normalizeKey } from './keys.ts'

const nextId = monotonicFactory()
const MAX_SLUG = 80

/** The last segment of a path as browsers and shells give it (`C:\fakepath\a.png`, `dir/a.png`). */
function baseName(filename: string): string {
  return filename.split(/[\\/]/).pop() ?? ''
}

/**
 * A new key for a file: `prefix/<id>-<slug>.<ext>`. The id is a ULID (48 bits of time, then 80 random
 * bits, monotonic within this process), so keys sort by creation time and never collide in practice;
 * the slug is the file's name in safe lower-case ASCII (`Réunion Été.PDF` → `reunion-ete.pdf`).
 */
export function generateUniqueObjectName(filename: string, opts: { prefix?: string } = {}): NormalizedKey {
  const name = baseName(filename)
  const dot = name.lastIndexOf('.')
  const stem = dot > 0 ? name.slice(0, dot) : name
  const rawExt = dot > 0 ? name.slice(dot + 1).toLowerCase() : ''
  const ext = /^[a-z0-9]{1,16}$/.test(rawExt) ? `.${rawExt}` : ''
  const slug = slugify(stem).slice(0, MAX_SLUG).replace(/-+$/, '') || 'file'
  const prefix = (opts.prefix ?? '').replace(/\/+$/, '')
  const key = `${prefix === '' ? '' : `${prefix}/`}${nextId().toLowerCase()}-${slug}${ext}`
  try {
    return normalizeKey(key)
  } catch (error) {
    throw new StorageError('InvalidKey', 'the prefix is not a valid key prefix', { cause: error })
  }
}
