import { isStorageError } from '@coffer/core'
import { loadConfig } from './config.ts'
import { startServer } from './start-server.ts'

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
  process.stdout.write(`Coffer listening at ${server.url} (docs at ${server.url}/docs)\n`)
  process.stdout.write(`User content (public and signed URLs) served at ${server.contentUrl}\n`)
  if (server.adminToken !== undefined) {
    // Shown once, on the terminal only: the index keeps its hash, and the log never sees it.
    process.stdout.write(
      `\nCoffer's first admin API key (shown once; keep it safe):\n\n  ${server.adminToken}\n\n` +
        `Use it as "Authorization: Bearer <key>". Set COFFER_ADMIN_KEY to choose your own instead.\n\n`,
    )
  }
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
}

/**
 * `npm start`: the service from the environment (see `loadConfig`). A bad configuration exits with
 * status 1 and one line per problem; SIGTERM and SIGINT stop it gracefully (in-flight requests end).
 * Never rejects: a failure to start is one line on stderr and exit status 1.
 */
export async function runService(): Promise<void> {
  await serve().catch((error: unknown) => {
    const detail = isStorageError(error) ? `${error.code}: ${error.message}` : 'the service could not start'
    process.stderr.write(`coffer: ${detail}\n`)
    if (!isStorageError(error)) console.error(error)
    process.exitCode = 1
  })
}
