/** One write of a key, from before it changes the store until the index has followed. */
export interface KeyWrite {
  readonly id: string
  /** How many writes of the key had started when this one did. */
  readonly startedBefore: number
  /** Whether another write of the key was under way when this one started. */
  readonly joined: boolean
}

interface KeyState {
  inFlight: number
  started: number
  /** The index updates of the key, one after another. */
  tail: Promise<unknown>
}

/**
 * The writes of each key in flight in this process (uploads, completions, copies, deletes). Two
 * writes of one key at once may reach the store in one order and the index in the other, which
 * left the index describing the object the store no longer held until a reconcile. So the index
 * updates of a key run one at a time (`serially`), and a write that overlapped another
 * (`overlapped`) first checks that the store still holds what it wrote; a write alone, the usual
 * case, costs nothing more.
 */
export class KeyWrites {
  readonly #keys = new Map<string, KeyState>()

  begin(bucket: string, key: string): KeyWrite {
    const id = `${bucket}\n${key}`
    let state = this.#keys.get(id)
    if (state === undefined) {
      state = { inFlight: 0, started: 0, tail: Promise.resolve() }
      this.#keys.set(id, state)
    }
    const write = { id, startedBefore: state.started, joined: state.inFlight > 0 }
    state.inFlight++
    state.started++
    return write
  }

  /** Whether another write of the key ran at any time during `write`. */
  overlapped(write: KeyWrite): boolean {
    const state = this.#keys.get(write.id)
    return (
      write.joined || (state !== undefined && (state.inFlight > 1 || state.started > write.startedBefore + 1))
    )
  }

  /** Runs `update` after the index updates of the key that came before it. */
  serially<T>(write: KeyWrite, update: () => Promise<T>): Promise<T> {
    const state = this.#keys.get(write.id)
    if (state === undefined) return update()
    const run = state.tail.then(update, update)
    state.tail = run.catch(() => undefined)
    return run
  }

  end(write: KeyWrite): void {
    const state = this.#keys.get(write.id)
    if (state === undefined) return
    state.inFlight--
    if (state.inFlight === 0) this.#keys.delete(write.id)
  }
}
