import { connect, createServer, type Socket } from 'node:net'

/** A TCP proxy that stops passing one side's bytes on once `limit` of them have gone through. */
export interface PausingProxy {
  /** The proxy's address, to use as the service's. */
  url: string
  /** Bytes of the limited side passed on so far. */
  readonly forwarded: number
  /** Resolves once `limit` bytes have gone through; the rest are held from then on. */
  paused: Promise<void>
  /** Lifts the limit (a connection stalled so far stays stalled). */
  release(): void
  close(): Promise<void>
}

/** How the proxy limits a connection. */
export interface ProxyOptions {
  /** Whose bytes are limited: the client's (`up`, the default) or the service's (`down`). */
  side?: 'up' | 'down'
  /** At the limit, cut the connection and lift the limit, instead of stalling the connection. */
  drop?: boolean
}

/**
 * Starts a proxy in front of `target` (an http://host:port URL). The bytes of one side stop at
 * `limit`, the other side's always pass; so an upload or a download through it stalls (or is cut) at
 * a known point, whatever the speed of the machine, and stays stalled until its client is killed.
 */
export async function startPausingProxy(
  target: string,
  limit: number,
  { side = 'up', drop = false }: ProxyOptions = {},
): Promise<PausingProxy> {
  const { hostname, port } = new URL(target)
  const sockets = new Set<Socket>()
  let forwarded = 0
  let currentLimit = limit
  let onPaused = () => {}
  const paused = new Promise<void>((resolve) => {
    onPaused = resolve
  })
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
      socket.on('close', () => {
        sockets.delete(socket)
        client.destroy()
        upstream.destroy()
      })
    }
    const [from, to] = side === 'up' ? [client, upstream] : [upstream, client]
    to.pipe(from)
    from.on('data', (chunk: Buffer) => {
      if (forwarded >= currentLimit) {
        from.pause()
        return
      }
      to.write(chunk)
      forwarded += chunk.length
      if (forwarded < currentLimit) return
      onPaused()
      if (!drop) return
      currentLimit = Number.POSITIVE_INFINITY
      to.end(() => {
        client.destroy()
        upstream.destroy()
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${address.port}`,
    get forwarded() {
      return forwarded
    },
    paused,
    release() {
      currentLimit = Number.POSITIVE_INFINITY
    },
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
