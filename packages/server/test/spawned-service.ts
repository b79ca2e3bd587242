import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { START_FLAGS } from '../src/service/heap-tuning.ts'

/** The service's entry point, run from source with Node's type stripping, as `npm start` runs its build. */
export const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))
/** `npm run reconcile`'s entry point, from source. */
export const RECONCILE = fileURLToPath(new URL('../src/reconcile-main.ts', import.meta.url))

/** The service as `npm start` runs it, in a process of its own. */
export interface Started {
  child: ChildProcessWithoutNullStreams
  url: string
  stdout: () => string
  exited: Promise<number | null>
}

/** Starts the service on an ephemeral port and waits for the line that says where it listens. */
export async function startProcess(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [...START_FLAGS, MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString()
  })
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /Coffer listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (match?.[1]) resolve(match[1])
    }, 50)
    exited.then((code) => reject(new Error(`exited with ${code}: ${err}`)))
    setTimeout(() => reject(new Error(`no listening line: ${out} ${err}`)), 20_000)
    exited.finally(() => clearInterval(timer)).catch(() => undefined)
  })
  // A service that did not come up is stopped, so that no test leaves a process behind.
  const url = await listening.catch((error: unknown) => {
    child.kill('SIGKILL')
    throw error
  })
  return { child, url, stdout: () => out, exited }
}
