import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, stopperOf, waitForHttp } from './processes.ts'
import type { Peer } from './target.ts'

const FILE_SERVER = new URL('./node-file-server.mjs', import.meta.url).pathname
const MEMORY_SERVER = new URL('./node-memory-server.mjs', import.meta.url).pathname

/** Starts a Node script on a free port (its last argument) and waits until `GET /` answers. */
async function startNodeScript(name: string, script: string, args: string[], dir: string) {
  const port = await freePort()
  const child = spawn(process.execPath, [script, ...args, String(port)], { stdio: 'ignore' })
  const stop = stopperOf(child, dir, 5000)
  const origin = `http://127.0.0.1:${port}`
  try {
    await waitForHttp(`${origin}/`, child, 10_000)
  } catch (error) {
    await stop()
    throw error
  }
  const spec = async (key: string) => ({ url: `${origin}/${key}`, headers: {} })
  return { name, pid: child.pid as number, get: spec, put: spec, stop }
}

/** The ceiling's name in the tables. */
export const CEILING = 'Node http (4 KiB from memory)'

/**
 * A bare Node file server (`node-file-server.mjs`) on a temp dir: the reference that shows what Node
 * itself reaches on this machine, beside which Coffer's own costs can be read.
 */
export function startNodeFileServer(): Promise<Peer & { pid: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-node-'))
  return startNodeScript('Node http (bare)', FILE_SERVER, [dir], dir)
}

/** The durable bare Node server's name in the tables. */
export const NODE_FSYNC = 'Node http (bare, fsync)'

/**
 * The bare Node file server with `--fsync`: as durable as Coffer's fs driver (data and directory
 * synced before the answer), the reference that shows what syncing itself costs on this disk (P4).
 */
export function startNodeFsyncServer(): Promise<Peer & { pid: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-node-fsync-'))
  return startNodeScript(NODE_FSYNC, FILE_SERVER, [dir, '--fsync'], dir)
}

/**
 * Node's `http` answering a 4 KiB buffer from memory (`node-memory-server.mjs`): P3's ceiling row.
 * Its PUT answers 405: it serves GETs only, and nothing needs preloading.
 */
export async function startNodeCeiling(): Promise<Peer & { pid: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-ceiling-'))
  return { ...(await startNodeScript(CEILING, MEMORY_SERVER, [], dir)), getsOnly: true }
}
