import { Readable } from 'node:stream'
import { StorageError } from '@coffer/core'

/** Reads the rest of the body from `offset` (bytes already delivered), pinned to the same object. */
export type Reopen = (offset: number) => Promise<Readable>

/**
 * Times in a row (without a byte in between) a body that broke is read again from where it broke. A
 * reader that pauses longer than the idle timeout breaks it too (the socket times out): resumed.
 */
const MAX_RESUMES = 3

/**
 * A response body that survives a broken connection: when S3's body fails or ends short of
 * `length` bytes, the rest is asked for again with a range read (`reopen`, which pins the etag with
 * If-Match, so the bytes are the same object's), up to `MAX_RESUMES` times in a row. A failure it cannot
 * repair ends the stream with a retryable `Unavailable` (a 503), never a raw socket error (a 500).
 */
export class ResumingBody extends Readable {
  readonly #length: number
  readonly #reopen: Reopen | undefined
  readonly #key: string
  #body: Readable | undefined
  #sent = 0
  #resumes = 0

  constructor(first: Readable, length: number, key: string, reopen?: Reopen) {
    super()
    this.#length = length
    this.#reopen = reopen
    this.#key = key
    this.#attach(first)
  }

  #attach(body: Readable): void {
    this.#body = body
    body.on('data', (chunk: Buffer) => {
      this.#sent += chunk.length
      this.#resumes = 0 // bytes flow again: only failures in a row count
      if (!this.push(chunk)) body.pause()
    })
    body.once('end', () => {
      if (this.#sent >= this.#length) this.push(null)
      else this.#broken(body, new Error(`the body ended after ${this.#sent} of ${this.#length} bytes`))
    })
    body.once('error', (error) => this.#broken(body, error))
    // Closed without its end: destroyed without an error event, or before it was handed over here
    // (its error went by while the driver read the object's tags).
    const closed = () => {
      if (!body.readableEnded) this.#broken(body, body.errored ?? new Error('the body closed early'))
    }
    if (body.destroyed) process.nextTick(closed)
    else body.once('close', closed)
  }

  #broken(body: Readable, error: unknown): void {
    if (body !== this.#body || this.destroyed) return
    body.removeAllListeners('data')
    body.on('error', () => undefined) // a late error of the dead body must not go unhandled
    body.destroy()
    this.#body = undefined
    const reopen = this.#reopen
    if (reopen === undefined || this.#resumes >= MAX_RESUMES) {
      this.destroy(this.#failure(error))
      return
    }
    this.#resumes += 1
    reopen(this.#sent).then(
      (next) => (this.destroyed ? next.destroy() : this.#attach(next)),
      (reason: unknown) => this.destroy(this.#failure(reason)),
    )
  }

  #failure(cause: unknown): StorageError {
    const message = 'reading the object: the connection to the S3 server broke mid-body'
    return new StorageError('Unavailable', message, { cause, key: this.#key })
  }

  override _read(): void {
    this.#body?.resume()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#body?.on('error', () => undefined)
    this.#body?.destroy()
    callback(error)
  }
}
