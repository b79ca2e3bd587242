import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { StorageError } from '@coffer/core'

/**
 * The signing secret kept in the data dir when `COFFER_SIGNING_SECRET` is not set: made on first
 * start (32 random bytes, readable by the owner only), so signed URLs survive restarts. Replicas
 * behind one load balancer must share `COFFER_SIGNING_SECRET` instead.
 */
export async function loadOrCreateSigningSecret(dataDir: string): Promise<string> {
  const path = join(dataDir, 'signing-secret')
  try {
    const secret = (await readFile(path, 'utf8')).trim()
    if (Buffer.byteLength(secret) >= 32) return secret
    throw new StorageError(
      'InvalidArgument',
      'the signing-secret file in the data dir is too short; remove it',
    )
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  // The data dir holds the index, the secret and every object: its owner's alone.
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const secret = randomBytes(32).toString('base64url')
  // `wx`: two first starts at once cannot overwrite each other's secret; the loser reads the winner's.
  try {
    await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' })
    return secret
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return (await readFile(path, 'utf8')).trim()
  }
}
