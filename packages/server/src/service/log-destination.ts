import pino from 'pino'

/** Bytes of log lines gathered before one write: some twenty request lines. */
const BATCH_BYTES = 4096
/** The longest a line waits in the batch when traffic is light. */
const FLUSH_EVERY_MS = 250

/** A log destination and how to empty it before the process ends. */
export interface LogDestination {
  stream: pino.DestinationStream
  /** Writes what is gathered, synchronously: for exits and fatal errors. */
  flush(): void
}

/**
 * Where the service's log lines go: JSON lines on stdout for collectors, or, for a person at a
 * terminal (`COFFER_LOG_FORMAT=pretty`, the default on a TTY), one readable line per entry. The
 * formatter is loaded only then: a service whose logs go to a collector never loads it.
 */
export async function logDestination(format: 'json' | 'pretty'): Promise<LogDestination> {
  if (format === 'json') return batchedStdout()
  const { default: pretty } = await import('pino-pretty')
  const stream = pretty({
    sync: true,
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    // A request is one line: `[12:00:01] INFO: request GET /v1/buckets → 200 in 1.2 ms`.
    messageFormat: '{msg}{if method} {method} {url} → {status} in {ms} ms{end}{if code} ({code}){end}',
    ignore: 'pid,hostname,reqId,method,url,status,ms,remote,code',
  })
  return { stream, flush: () => undefined }
}

/**
 * JSON lines go to stdout in batches: one `write` per ~4 KiB of lines instead of one per request,
 * which was a fifth of a small GET's cost (`npm run bench`, P3, with `--profile`). A line waits at
 * most 250 ms, and the batch is written synchronously when the process exits (or is asked to stop),
 * so only a SIGKILL can lose the last quarter second of lines. Writes stay synchronous, as pino's
 * default: a stdout that blocks slows the service instead of growing a buffer without bound.
 */
function batchedStdout(): LogDestination {
  const stream = pino.destination({
    dest: 1,
    sync: true,
    minLength: BATCH_BYTES,
    periodicFlush: FLUSH_EVERY_MS,
  })
  const flush = () => {
    try {
      stream.flushSync()
    } catch {
      // stdout closed (the reader went away): nothing more can be written.
    }
  }
  process.once('exit', flush)
  return { stream, flush }
}
