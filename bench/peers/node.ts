import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, stopperOf, waitForHttp } from './processes.ts'
import type { Peer } from './target.ts'

const SERVER = new URL('./node-file-server.mjs', import.meta.url).pathname

/**
 * A bare Node file server (`node-file-server.mjs`) on a temp dir: the reference that shows what Node
 * itself reaches on this machine, beside which Coffer's own costs can be read.
 */
export async function startNodeFileServer(): Promise<Peer & { pid: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-node-'))
  const port = await freePort()
  const child = spawn(process.execPath, [SERVER, dir, String(port)], { stdio: 'ignore' })
  const stop = stopperOf(child, dir, 5000)
  const origin = `http://127.0.0.1:${port}`
  try {
    await waitForHttp(`${origin}/`, child, 10_000)
  } catch (error) {
    await stop()
    throw error
  }
  const spec = async (key: string) => ({ url: `${origin}/${key}`, headers: {} })
  return { name: 'Node http (bare)', pid: child.pid as number, get: spec, put: spec, stop }
}
