import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { UsageError } from '../coffer-url.ts'

/** Options of `coffer serve`, each overriding its environment variable. */
export interface ServeOptions {
  port?: string
  host?: string
  dataDir?: string
}

/**
 * `coffer serve`: runs the service exactly as `npm start` does (`@coffer/server`'s built `main.js`
 * with its V8 start flags, configured by the environment), as a child process with this terminal.
 * Signals are passed on, so Ctrl-C and SIGTERM stop it gracefully; its exit status is ours.
 */
export async function serve(options: ServeOptions): Promise<void> {
  const main = fileURLToPath(new URL('main.js', import.meta.resolve('@coffer/server')))
  if (!existsSync(main)) throw new UsageError(`${main} is missing: run "npm run build" first`)
  const { START_FLAGS } = await import('@coffer/server/heap-tuning')
  const env = { ...process.env }
  if (options.port !== undefined) env.PORT = options.port
  if (options.host !== undefined) env.HOST = options.host
  if (options.dataDir !== undefined) env.COFFER_DATA_DIR = options.dataDir
  const child = spawn(process.execPath, [...START_FLAGS, main], { env, stdio: 'inherit' })
  const forward = (signal: NodeJS.Signals) => child.kill(signal)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (status, signal) => resolve(status ?? (signal === 'SIGINT' ? 130 : 143)))
  })
  process.exitCode = code
}
