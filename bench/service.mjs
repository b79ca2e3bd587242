import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { START_FLAGS } from '../packages/server/dist/service/heap-tuning.js'

/** The built service; started with its V8 start flags, as `npm start` runs it. */
export const MAIN = new URL('../packages/server/dist/main.js', import.meta.url).pathname

/** The address a starting service prints ("Coffer listening at …"); rejects if it exits or takes 20 s. */
export function listeningUrl(child) {
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
      const match = /Coffer listening at (http:\/\/[\d.:]+)/.exec(out)
      if (match) resolve(match[1])
    })
    child.once('exit', (code) => reject(new Error(`the service exited with ${code}`)))
    setTimeout(() => reject(new Error('the service did not start in 20 s')), 20_000).unref()
  })
}

/**
 * The built service in a process of its own for a benchmark: fs driver and SQLite in a temp data
 * dir, auth on with a generated admin key, logging at warn. `stop` ends it and removes the data dir.
 */
export async function startService(name) {
  const dataDir = await mkdtemp(join(tmpdir(), `coffer-bench-${name}-`))
  const adminKey = `bench-${randomBytes(24).toString('hex')}`
  const child = spawn(process.execPath, [...START_FLAGS, MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      COFFER_DATA_DIR: dataDir,
      COFFER_ADMIN_KEY: adminKey,
      COFFER_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
    }
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    return { url: await listeningUrl(child), child, adminKey, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
