import { connect, createServer, type Server, type Socket } from 'node:net'

/**
 * What the proxy does to the traffic. Probabilities are per chunk (reset, flip) or per new
 * connection (slowDown); all draws come from one seeded generator, so a run can be replayed.
 */
export interface FaultPlan {
  /** Milliseconds each chunk waits before it is forwarded (both directions, order kept). */
  latencyMs: number
  /** Chance that a chunk from S3 resets both connections instead (RST) — mid-response. */
  reset: number
  /** Chance that a new connection, or a request, is answered `503 SlowDown` by the proxy itself. */
  slowDown: number
  /** Chance that a large chunk towards S3 has one byte flipped (outside any request head). */
  flip: number
  /** Every connection is reset at once, and new ones on accept: S3 is down. */
  outage: boolean
  /** Connections are accepted and then nothing is forwarded or answered: a silent, half-open S3. */
  halfOpen: boolean
  /** Flips one byte in each of the next so many large chunks towards S3 (counts down). */
  flipNext: number
  /** Resets a connection once it carried this many bytes from S3 (0: never), `cuts` times in all. */
  cutAfterBytes: number
  cuts: number
  /** After a cut, S3 goes down (`outage`): what was cut cannot be read again. */
  outageAfterCut: boolean
  /** Requests whose request line matches are answered `503 SlowDown` by the proxy, `refusals` times. */
  refuse: RegExp | undefined
  refusals: number
}

export const CALM: FaultPlan = {
  latencyMs: 0,
  reset: 0,
  slowDown: 0,
  flip: 0,
  outage: false,
  halfOpen: false,
  flipNext: 0,
  cutAfterBytes: 0,
  cuts: 0,
  outageAfterCut: false,
  refuse: undefined,
  refusals: 0,
}

/** How often each fault struck. */
export interface FaultCounts {
  connections: number
  resets: number
  slowDowns: number
  flips: number
  refused: number
  swallowed: number
}

/** mulberry32: a small seeded generator (uniform in [0, 1)), enough for fault draws. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

const SLOW_DOWN_BODY =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>' +
  '<Message>Please reduce your request rate.</Message></Error>'
const SLOW_DOWN =
  'HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nConnection: close\r\n' +
  `Content-Length: ${Buffer.byteLength(SLOW_DOWN_BODY)}\r\n\r\n${SLOW_DOWN_BODY}`

/** A chunk large enough to be body bytes: request heads of the SDK are well under this. */
const FLIPPABLE = 16 * 1024

/**
 * A TCP proxy on 127.0.0.1 between an S3 client and an S3 server, written for the fault tests: it
 * forwards bytes as they are, or injects the faults of its current `plan` — latency, resets mid-
 * response, 503 SlowDown answers, an outage, a half-open (silent) server, a flipped byte.
 */
export class FaultProxy {
  plan: FaultPlan = { ...CALM }
  readonly counts: FaultCounts = {
    connections: 0,
    resets: 0,
    slowDowns: 0,
    flips: 0,
    refused: 0,
    swallowed: 0,
  }
  readonly #server: Server
  readonly #target: { host: string; port: number }
  readonly #random: () => number
  readonly #sockets = new Set<Socket>()
  /** Connections that went silent: once half-open, always (their byte streams have holes). */
  readonly #silenced = new WeakSet<Socket>()

  private constructor(target: { host: string; port: number }, seed: number) {
    this.#target = target
    this.#random = seeded(seed)
    this.#server = createServer((client) => this.#accept(client))
  }

  /** Starts a proxy to `target` (an `http://host:port` endpoint) on an ephemeral port. */
  static async start(target: string, seed: number): Promise<FaultProxy> {
    const url = new URL(target)
    const proxy = new FaultProxy({ host: url.hostname, port: Number(url.port) }, seed)
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  /** The endpoint S3 clients use to go through the proxy. */
  get endpoint(): string {
    const address = this.#server.address()
    if (address === null || typeof address === 'string') throw new Error('the proxy is not listening')
    return `http://127.0.0.1:${address.port}`
  }

  /** Changes the faults; an outage resets the connections that are open. */
  set(plan: Partial<FaultPlan>): void {
    this.plan = { ...CALM, ...plan }
    if (this.plan.outage) for (const socket of this.#sockets) this.#reset(socket)
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket)
    socket.on('close', () => this.#sockets.delete(socket))
    socket.on('error', () => undefined)
  }

  #reset(socket: Socket): void {
    if (!socket.destroyed) socket.resetAndDestroy()
  }

  #accept(client: Socket): void {
    this.#track(client)
    this.counts.connections += 1
    if (this.plan.outage) {
      this.counts.refused += 1
      this.#reset(client)
      return
    }
    if (this.plan.halfOpen) {
      // Accepted, then silence: the bytes go nowhere and nothing comes back.
      this.counts.swallowed += 1
      client.resume()
      return
    }
    if (this.#random() < this.plan.slowDown) {
      this.counts.slowDowns += 1
      client.once('data', () => client.end(SLOW_DOWN))
      client.resume()
      return
    }
    const server = connect(this.#target.port, this.#target.host)
    this.#track(server)
    server.setNoDelay(true)
    client.setNoDelay(true)
    this.#pipe(client, server, client)
    this.#pipe(server, client, client)
    client.on('close', () => this.#reset(server))
    server.on('close', () => this.#reset(client))
  }

  /** Forwards `from` to `to` in order, each chunk after the plan's latency, with its faults. */
  #pipe(from: Socket, to: Socket, client: Socket): void {
    const towardsS3 = from === client
    let queue = Promise.resolve()
    let carried = 0
    from.on('data', (chunk: Buffer) => {
      const plan = this.plan
      if (plan.halfOpen) this.#silenced.add(from)
      if (this.#silenced.has(from)) return // swallowed: the connection went silent
      if (towardsS3 && this.#refuses(chunk)) {
        this.counts.slowDowns += 1
        from.removeAllListeners('data')
        to.destroy()
        client.end(SLOW_DOWN)
        return
      }
      carried += chunk.length
      const cut = !towardsS3 && plan.cuts > 0 && plan.cutAfterBytes > 0 && carried > plan.cutAfterBytes
      if (cut || (!towardsS3 && this.#random() < plan.reset)) {
        if (cut) plan.cuts -= 1
        this.counts.resets += 1
        this.#reset(from)
        this.#reset(to)
        if (cut && plan.outageAfterCut) this.set({ outage: true })
        return
      }
      const out = towardsS3 ? this.#maybeFlip(chunk) : chunk
      if (plan.latencyMs === 0) {
        if (!to.destroyed) to.write(out)
        return
      }
      from.pause()
      queue = queue
        .then(() => new Promise((resolve) => setTimeout(resolve, plan.latencyMs)))
        .then(() => {
          if (!to.destroyed) to.write(out)
          from.resume()
        })
    })
    from.on('end', () => void queue.then(() => to.end()))
  }

  /** Whether a chunk towards S3 that starts a request is to be answered 503 SlowDown. */
  #refuses(chunk: Buffer): boolean {
    const plan = this.plan
    const head = chunk.subarray(0, 512).toString('latin1')
    if (!/^[A-Z]+ \S+ HTTP\/1\.1\r\n/.test(head)) return false
    if (plan.refusals > 0 && plan.refuse?.test(head)) {
      plan.refusals -= 1
      return true
    }
    return plan.slowDown > 0 && this.#random() < plan.slowDown
  }

  /** The chunk, or a copy with one byte flipped when the plan says so (body bytes only). */
  #maybeFlip(chunk: Buffer): Buffer {
    const plan = this.plan
    if (chunk.length < FLIPPABLE || chunk.includes('HTTP/1.1\r\n')) return chunk
    if (plan.flipNext > 0) plan.flipNext -= 1
    else if (!(this.#random() < plan.flip)) return chunk
    const out = Buffer.from(chunk)
    const at = Math.floor(out.length / 2)
    out[at] = (out[at] as number) ^ 0x01
    this.counts.flips += 1
    return out
  }
}
