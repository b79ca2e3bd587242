import { Client } from '../client.ts'
import { DEFAULT_PROFILE, readProfile } from './profile.ts'

/** The service's default address, where `npm start` listens. */
export const DEFAULT_URL = 'http://127.0.0.1:7373'

/** The global options that choose the service and the credential. */
export interface ConnectionOptions {
  url?: string
  key?: string
  profile?: string
}

/**
 * The client for a command. Each setting comes from the first of: the flag (`--url`, `--key`), the
 * environment (`COFFER_URL`, `COFFER_KEY`), the profile (`--profile`, `COFFER_PROFILE`, else
 * "default"), and for the address only, http://127.0.0.1:7373.
 */
export async function connect(options: ConnectionOptions): Promise<Client> {
  const env = process.env
  const name = options.profile ?? env.COFFER_PROFILE ?? DEFAULT_PROFILE
  const needsProfile =
    (options.url ?? env.COFFER_URL) === undefined || (options.key ?? env.COFFER_KEY) === undefined
  const profile = needsProfile ? await readProfile(name) : undefined
  const url = options.url ?? env.COFFER_URL ?? profile?.url ?? DEFAULT_URL
  const key = options.key ?? env.COFFER_KEY ?? profile?.key
  return new Client({ url, key })
}
