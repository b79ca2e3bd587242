import { CofferClient, isHeaderSafe } from '@coffer/client'
import { UsageError } from '../coffer-url.ts'
import { DEFAULT_PROFILE, readProfile } from './profile.ts'

/** The service's default address, where `npm start` listens. */
export const DEFAULT_URL = 'http://127.0.0.1:7373'

/** The global options that choose the service and the credential. */
export interface ConnectionOptions {
  url?: string
  key?: string
  profile?: string
}

/** The service's address and the key to use; no key is `undefined`. */
export interface Connection {
  url: string
  key: string | undefined
}

/**
 * The connection of a command. Each setting comes from the first of: the flag (`--url`, `--key`), the
 * environment (`COFFER_URL`, `COFFER_KEY`), the profile (`--profile`, `COFFER_PROFILE`, else
 * "default"), and for the address only, http://127.0.0.1:7373.
 */
export async function connection(options: ConnectionOptions): Promise<Connection> {
  const env = process.env
  const name = options.profile ?? env.COFFER_PROFILE ?? DEFAULT_PROFILE
  const needsProfile =
    (options.url ?? env.COFFER_URL) === undefined || (options.key ?? env.COFFER_KEY) === undefined
  const profile = needsProfile ? await readProfile(name) : undefined
  const url = options.url ?? env.COFFER_URL ?? profile?.url ?? DEFAULT_URL
  const key = options.key ?? env.COFFER_KEY ?? profile?.key
  return { url, key: key === '' ? undefined : key }
}

/** A client of the connection's service with its key; a key no header can carry is a usage error. */
export function clientOf({ url, key }: Connection): CofferClient {
  if (key !== undefined && !isHeaderSafe(key))
    throw new UsageError('the key holds characters no header can carry: check COFFER_KEY or the profile')
  // No time limit on a call by default: the CLI waits as long as its user does (Ctrl-C stops it).
  return new CofferClient({ url, token: key, timeout: 0 })
}
