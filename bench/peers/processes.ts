/** What the peers share: free ports, waiting for a listener, stopping a child, its peak RSS. */
import type { ChildProcess } from 'node:child_process'
import { readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'

/** A free TCP port on 127.0.0.1 (bound, read, released: a peer binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Polls `url` every 50 ms until it answers (any status); fails when `child` exits or after `ms`. */
export async function waitForHttp(url: string, child: ChildProcess, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  let last: unknown
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${url}: the process exited (${child.exitCode ?? child.signalCode}) before answering`)
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) })
      await res.body?.cancel()
      return
    } catch (error) {
      last = error
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${url} did not answer within ${ms} ms: ${(last as Error | undefined)?.message}`)
}

/** Sends `signal`, then SIGKILL after `graceMs`; resolves once the child is gone. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

/**
 * How to stop a peer's process: SIGTERM (then SIGKILL after `graceMs`), then remove its temp dir.
 * Until then, the child is killed if the benchmark itself exits.
 */
export function stopperOf(child: ChildProcess, dir: string, graceMs: number): () => Promise<void> {
  const killOnExit = () => child.kill('SIGKILL')
  process.on('exit', killOnExit)
  return async () => {
    process.off('exit', killOnExit)
    await stopChild(child, 'SIGTERM', graceMs)
    await rm(dir, { recursive: true, force: true })
  }
}

/** A process's peak resident set (VmHWM), in MiB. */
export async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024
}
