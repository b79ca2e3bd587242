import { createInterface } from 'node:readline/promises'
import { Writable } from 'node:stream'
import { UsageError } from '../coffer-url.ts'
import { DEFAULT_PROFILE, writeProfile } from '../config/profile.ts'
import { clientOf, DEFAULT_URL } from '../config/settings.ts'

/** Options of `coffer login`: the global connection options. */
export interface LoginOptions {
  url?: string
  key?: string
  profile?: string
}

/**
 * Reads the key from stdin: on a terminal asked for and not echoed (readline echoes into a stream
 * that drops it), else the first line piped in.
 */
async function readKey(): Promise<string> {
  const terminal = process.stdin.isTTY === true
  const output = terminal ? new Writable({ write: (_chunk, _encoding, done) => done() }) : process.stderr
  const rl = createInterface({ input: process.stdin, output, terminal })
  try {
    if (terminal) process.stderr.write('API key (not shown): ')
    for await (const line of rl) return line.trim()
    return ''
  } finally {
    rl.close()
    if (terminal) process.stderr.write('\n')
  }
}

/**
 * `coffer login [--url URL] [--key KEY] [--profile NAME]`: checks the key against the service (it must
 * be able to list buckets), then saves URL and key as a profile (0600) in the config directory. The
 * key comes from `--key`, `COFFER_KEY` or stdin, so that it need not be on the command line.
 */
export async function login(options: LoginOptions): Promise<void> {
  const url = options.url ?? process.env.COFFER_URL ?? DEFAULT_URL
  const key = options.key ?? process.env.COFFER_KEY ?? (await readKey())
  if (key === '') throw new UsageError('no key: give --key, set COFFER_KEY or type it on stdin')
  await clientOf({ url, key }).buckets.list()
  const path = await writeProfile(options.profile ?? process.env.COFFER_PROFILE ?? DEFAULT_PROFILE, {
    url,
    key,
  })
  process.stderr.write(`logged in to ${url}; saved ${path}\n`)
}
