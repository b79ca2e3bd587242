import type { Readable } from 'node:stream'
import type { S3Client } from '@aws-sdk/client-s3'
import { StorageError } from '@coffer/core'

type Send = S3Client['send']

/** Send options of a call whose request body streams for long: see `withDeadline`. */
export const LONG_BODY = { requestTimeout: 0 } as const

/**
 * Bounds every call of `client` (all its attempts and their back-off) by `ms`: past it the call is
 * aborted and fails with a retryable `Unavailable`, so that a server that accepts connections but
 * never answers costs a request seconds, not minutes. The timer stops once the answer's headers
 * are in: a response body may stream for longer, bounded by the socket's idle timeout instead.
 * Wrapping `send` reaches every command, those `lib-storage` sends included. A call sent with
 * `requestTimeout: 0` (`LONG_BODY`) has a request body that streams for long (a staged completion's
 * PutObject, whose answer comes only after its last byte): no deadline, but a socket silent for the
 * idle timeout still fails it.
 */
export function withDeadline(client: S3Client, ms: number): void {
  const send = client.send.bind(client) as (command: unknown, options?: unknown) => Promise<unknown>
  const bounded = async (
    command: unknown,
    options?: { abortSignal?: AbortSignal; requestTimeout?: number },
  ) => {
    if (options?.requestTimeout === 0) return send(command, options)
    const deadline = new AbortController()
    const timer = setTimeout(() => deadline.abort(), ms)
    const caller = options?.abortSignal
    const abortSignal = caller ? AbortSignal.any([caller, deadline.signal]) : deadline.signal
    try {
      return await send(command, { ...options, abortSignal })
    } catch (error) {
      if (deadline.signal.aborted && !caller?.aborted) {
        throw new StorageError('Unavailable', `the S3 server did not answer within ${ms} ms`, {
          cause: new Error(`deadline of ${ms} ms exceeded`),
        })
      }
      throw error
    } finally {
      clearTimeout(timer)
    }
  }
  client.send = bounded as unknown as Send
}

/**
 * Sends a request whose body is the stream `body` (`send` gets the abort signal to send it with).
 * When the stream fails (a part that changed, a body shorter or longer than its declared length, a
 * limit passed), the request is aborted at once and the call fails with the stream's error: the
 * server would otherwise wait for the missing bytes until the idle timeout, and the caller see a
 * 503 instead of what went wrong.
 */
export async function sendBody<T>(
  body: Readable,
  signal: AbortSignal | undefined,
  send: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (body.errored) throw body.errored // it failed while the call was getting ready
  const stop = new AbortController()
  let failure: unknown
  body.once('error', (error) => {
    failure = error
    stop.abort()
  })
  try {
    return await send(signal ? AbortSignal.any([signal, stop.signal]) : stop.signal)
  } catch (error) {
    throw failure ?? error
  }
}
