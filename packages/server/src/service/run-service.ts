import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isStorageError } from '@coffer/core'
import { loadConfig } from '../config/config.ts'
import { startServer } from './start-server.ts'

/** Where the first admin key goes when no terminal shows it, in the data dir. */
export const FIRST_ADMIN_KEY_FILE = 'first-admin-key'

/**
 * Shows the generated first admin key once. On a terminal it is printed; otherwise stdout is a pipe
 * or a file (a log collector, `> coffer.log`) that would keep it, so it goes to a file only its owner
 * can read (0600), and stdout names the file, not the key.
 */
async function showFirstAdminKey(token: string, dataDir: string): Promise<void> {
  const advice = 'Use it as "Authorization: Bearer <key>". Set COFFER_ADMIN_KEY to choose your own instead.'
  if (process.stdout.isTTY) {
    process.stdout.write(
      `\nCoffer's first admin API key (shown once; keep it safe):\n\n  ${token}\n\n${advice}\n\n`,
    )
    return
  }
  const path = join(dataDir, FIRST_ADMIN_KEY_FILE)
  await rm(path, { force: true })
  await writeFile(path, `${token}\n`, { mode: 0o600, flag: 'wx' })
  process.stdout.write(
    `Coffer's first admin API key is in the file "${FIRST_ADMIN_KEY_FILE}" in the data directory ` +
      `(COFFER_DATA_DIR), readable by this user only; move it somewhere safe and delete the file. ${advice}\n`,
  )
}

/** Starts the service and stops it on a signal; rejects when it cannot start. */
async function serve(): Promise<void> {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig()
  } catch (error) {
    process.stderr.write(`coffer: ${isStorageError(error) ? error.message : String(error)}\n`)
    process.exitCode = 1
    return
  }
  const server = await startServer(config)
  // Before the listening line, which tells scripts (and the tests) that the service is ready.
  if (server.adminToken !== undefined) {
    await showFirstAdminKey(server.adminToken, config.dataDir).catch(async (error: unknown) => {
      await server.close()
      throw error
    })
  }
  process.stdout.write(`User content (public and signed URLs) served at ${server.contentUrl}\n`)
  process.stdout.write(`S3 endpoint (path-style, SigV4) at ${server.s3Url}\n`)
  process.stdout.write(`Coffer listening at ${server.url} (docs at ${server.url}/docs)\n`)
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    server.app.log.info({ signal }, 'shutting down')
    // A request that never ends must not keep the process alive forever.
    setTimeout(() => process.exit(1), 30_000).unref()
    server.close().then(
      () => {
        process.exitCode = 0
      },
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed')
        process.exitCode = 1
      },
    )
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
  // The last resort only: every stream and promise has an owner that handles its errors. Should one
  // slip through, it is logged and the process keeps serving everyone else's requests.
  process.on('uncaughtException', (error) =>
    server.app.log.error({ error: summary(error) }, 'uncaught exception'),
  )
  process.on('unhandledRejection', (error) =>
    server.app.log.error({ error: summary(error) }, 'unhandled rejection'),
  )
}

/**
 * `npm start`: the service from the environment (see `loadConfig`). A bad configuration exits with
 * status 1 and one line per problem; SIGTERM and SIGINT stop it gracefully (in-flight requests end).
 * Never rejects: a failure to start is one line on stderr and exit status 1.
 */
export async function runService(): Promise<void> {
  await serve().catch((error: unknown) => {
    // A StorageError's message is written for the person starting the service; anything else is a bug.
    const detail = isStorageError(error) ? error.message : 'the service could not start'
    process.stderr.write(`coffer: ${detail}\n`)
    if (!isStorageError(error)) console.error(error)
    process.exitCode = 1
  })
}

/** What the log keeps of an error nobody handled: its kind, never its message or stack (paths). */
function summary(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error }
  const { code, syscall } = error as NodeJS.ErrnoException
  return { name: error.name, code, syscall }
}
