import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { UsageError } from '../coffer-url.ts'
import { configDir } from './paths.ts'

/** A saved connection: the service's address and the credential to send it. */
export interface Profile {
  url: string
  key: string
}

/** The profile used when none is named (`--profile` or `COFFER_PROFILE`). */
export const DEFAULT_PROFILE = 'default'

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/

/** The file of a profile: `<config dir>/<name>.json`; refuses names that are not plain words. */
export function profilePath(name: string): string {
  if (!NAME.test(name)) throw new UsageError(`bad profile name: ${name} (letters, digits, "-", "_")`)
  return join(configDir(), `${name}.json`)
}

/** Reads a profile; `undefined` when it was never written. A file that is not a profile is an error. */
export async function readProfile(name: string): Promise<Profile | undefined> {
  const path = profilePath(name)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  const profile = JSON.parse(text) as Partial<Profile>
  if (typeof profile.url !== 'string' || typeof profile.key !== 'string') {
    throw new UsageError(`${path} is not a coffer profile (needs "url" and "key")`)
  }
  return { url: profile.url, key: profile.key }
}

/**
 * Writes a profile readable by its owner only (0600, in a 0700 directory). The file is written under
 * a temporary name and renamed, so a reader never sees half a profile, and is never group-readable,
 * not even for a moment.
 */
export async function writeProfile(name: string, profile: Profile): Promise<string> {
  const path = profilePath(name)
  await mkdir(configDir(), { recursive: true, mode: 0o700 })
  const temp = `${path}.${process.pid}.tmp`
  await writeFile(temp, `${JSON.stringify(profile, null, 2)}\n`, { mode: 0o600 })
  await chmod(temp, 0o600)
  await rename(temp, path)
  return path
}
