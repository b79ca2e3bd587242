import { StorageError } from '@coffer/core'

/**
 * Runs at most `concurrency` tasks at once and lets at most `maxQueued` wait; one more is refused at
 * once with a retryable `Unavailable` (the server's 503 with `Retry-After`), so a burst of renders
 * costs a bounded amount of memory and CPU instead of a growing backlog.
 */
export class RenderQueue {
  readonly #concurrency: number
  readonly #maxQueued: number
  readonly #waiting: (() => void)[] = []
  #running = 0

  constructor(concurrency: number, maxQueued: number) {
    this.#concurrency = concurrency
    this.#maxQueued = maxQueued
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running
  }

  /** Tasks waiting for a slot now. */
  get queued(): number {
    return this.#waiting.length
  }

  /**
   * Runs `task` when a slot is free. Throws `Unavailable` when the queue is full and `Aborted` when
   * `signal` fires while waiting; the slot is held until the task settles.
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#running >= this.#concurrency) await this.#wait(signal)
    else this.#running++
    try {
      return await task()
    } finally {
      const next = this.#waiting.shift()
      // The slot passes straight to the next waiter, so `running` never dips below the bound.
      if (next === undefined) this.#running--
      else next()
    }
  }

  #wait(signal: AbortSignal | undefined): Promise<void> {
    if (this.#waiting.length >= this.#maxQueued) {
      return Promise.reject(
        new StorageError('Unavailable', 'too many images are being rendered; retry later'),
      )
    }
    signal?.throwIfAborted()
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const at = this.#waiting.indexOf(wake)
        if (at >= 0) this.#waiting.splice(at, 1)
        reject(aborted(signal))
      }
      const wake = () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      this.#waiting.push(wake)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }
}

/** A timeout's abort is a `Timeout`, a caller's an `Aborted`. */
export function aborted(signal: AbortSignal | undefined): StorageError {
  const reason: unknown = signal?.reason
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new StorageError('Timeout', 'rendering the image took too long', { cause: reason })
  }
  return new StorageError('Aborted', 'the render was aborted', { cause: reason })
}
