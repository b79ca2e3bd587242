import { PassThrough, type Readable } from 'node:stream'
import { StorageError } from '@coffer/core'
import type { preParsingHookHandler, RouteOptions } from 'fastify'

/** How long request bodies may stall, and how many uploads a credential may run at once. */
export interface BodyLimitOptions {
  /** A body that brings no byte for this long (ms) fails with `RequestTimeout` (408); default 30 s. */
  idleTimeout?: number
  /**
   * The slowest an upload's body may come, in bytes per second, averaged over each `idleTimeout`;
   * slower fails as a stalled body does (408). Default 1024: a byte now and then would otherwise
   * hold an upload, its temp file and its quota reservation for as long as the client likes.
   */
  minRate?: number
  /**
   * Uploads one credential may stream at once; more fail with `TooManyRequests` (429). Default 256:
   * an application's backend often uploads for all its users with one key.
   */
  uploadsPerCredential?: number
}

/**
 * The limits that keep a client from holding the service's resources with bodies it does not send:
 * each upload holds a socket, a temp file and, in a bucket with a quota, a reservation until its body
 * ends. A body that stalls is failed after `idleTimeout`; a credential opening ever more uploads is
 * refused past `uploadsPerCredential`. Counts are per process.
 */
export class BodyLimits {
  readonly idleTimeout: number
  /** The bytes an upload's body must bring in each `idleTimeout` (see `minRate`); at least 1. */
  readonly minBytes: number
  readonly #perCredential: number
  readonly #running = new Map<string, number>()

  constructor(options: BodyLimitOptions = {}) {
    this.idleTimeout = options.idleTimeout ?? 30_000
    this.minBytes = Math.max(1, Math.ceil(((options.minRate ?? 1024) * this.idleTimeout) / 1000))
    this.#perCredential = options.uploadsPerCredential ?? 256
  }

  /**
   * Takes one of `credential`'s upload slots, or throws `TooManyRequests`. Returns the function that
   * gives it back (once, however often it is called).
   */
  acquire(credential: string): () => void {
    const running = this.#running.get(credential) ?? 0
    if (running >= this.#perCredential) {
      throw new StorageError(
        'TooManyRequests',
        `this credential already has ${running} uploads running; retry when one has finished`,
      )
    }
    this.#running.set(credential, running + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.#running.get(credential) ?? 1) - 1
      if (left === 0) this.#running.delete(credential)
      else this.#running.set(credential, left)
    }
  }

  /** The error of a body that stalled. */
  timedOut(): StorageError {
    return new StorageError(
      'RequestTimeout',
      `the request body brought fewer than ${this.minBytes} bytes in ${this.idleTimeout / 1000} s; ` +
        'the upload was abandoned',
    )
  }
}

/**
 * Calls `onIdle` once when `body` (a request being read, already flowing or piped) brings fewer than
 * `minBytes` (default 1: no byte at all) in `ms` while the service is ready for more: a window in
 * which it was paused by backpressure (a storage slower than the client) does not count. Each
 * `minBytes` received start a new window. Watching stops at the body's end, error or close, or when
 * the returned function is called.
 */
export function watchIdleBody(body: Readable, ms: number, onIdle: () => void, minBytes = 1): () => void {
  let received = 0
  let paused = false
  const restart = () => {
    received = 0
    paused = false
    timer.refresh()
  }
  const check = () => {
    if (paused || body.isPaused() || body.readableFlowing === false) restart()
    else {
      stop()
      onIdle()
    }
  }
  const timer = setTimeout(check, ms)
  const onData = (chunk: Buffer) => {
    received += chunk.length
    if (received >= minBytes) restart()
  }
  const onPause = () => {
    paused = true
  }
  const stop = () => {
    clearTimeout(timer)
    body.off('data', onData)
    body.off('pause', onPause)
    body.off('end', stop)
    body.off('close', stop)
    body.off('error', stop)
  }
  body.on('data', onData)
  body.on('pause', onPause)
  body.once('end', stop)
  body.once('close', stop)
  body.once('error', stop)
  return stop
}

/**
 * An `onRoute` hook that applies `limits.idleTimeout` to the bodies Fastify parses itself (routes
 * with a body schema: JSON), which would otherwise hold their socket forever when they stall.
 * Routes that stream their bodies (uploads) watch them themselves: their body is left alone.
 */
export function watchParsedBodies(limits: BodyLimits): (route: RouteOptions) => void {
  const watch: preParsingHookHandler = (request, _reply, payload, done) => {
    if (request.raw.complete) return done(null, payload)
    const watched = new PassThrough()
    payload.pipe(watched)
    payload.once('error', (error) => watched.destroy(error))
    watchIdleBody(payload, limits.idleTimeout, () => {
      payload.unpipe(watched)
      watched.destroy(limits.timedOut())
    })
    done(null, watched)
  }
  return (route) => {
    if (route.schema?.body === undefined) return
    const existing = route.preParsing === undefined ? [] : [route.preParsing].flat()
    route.preParsing = [...existing, watch]
  }
}
