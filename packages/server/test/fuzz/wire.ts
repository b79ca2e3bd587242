import { Agent, request as httpRequest } from 'node:http'
import { connect } from 'node:net'

/** One request as the fuzzer sends it. */
export interface WireRequest {
  method: string
  /** The request-target, sent as it is (no encoding added). */
  target: string
  headers: Array<[string, string]>
  body?: Buffer
  /** `raw`: these bytes over node:net; `http`: node:http, as an ordinary client sends them. */
  transport: 'raw' | 'http'
  /** Target and header values as Latin-1 bytes instead of UTF-8 (raw only). */
  latin1?: boolean
  /** Sends only this many bytes of the body, then ends its side of the connection (raw only). */
  cutAt?: number
  /** A whole request written as it is (malformed HTTP); method and target only describe it. */
  raw?: Buffer
  /** Stops this long (ms) halfway through the bytes (in the headers of a small request), as a slow client (raw only). */
  pauseMs?: number
  /** Which listener gets it: the API origin (the default) or the S3 endpoint. */
  listener?: 'api' | 's3'
}

/** A parsed response. */
export interface WireResponse {
  status: number
  reason: string
  headers: Array<[string, string]>
  body: Buffer
}

/** What came back: a response, or why there was none. */
export interface Exchange {
  response?: WireResponse
  error?: string
}

/** The first value of a response header. */
export function headerOf(response: WireResponse, name: string): string | undefined {
  return response.headers.find(([n]) => n.toLowerCase() === name)?.[1]
}

/** The bytes of a raw request: request line, headers (Host and framing added unless given), body. */
export function rawBytes(request: WireRequest, port: number): Buffer {
  if (request.raw) return request.raw
  const names = new Set(request.headers.map(([name]) => name.toLowerCase()))
  const lines = [`${request.method} ${request.target} HTTP/1.1`]
  if (!names.has('host')) lines.push(`Host: 127.0.0.1:${port}`)
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`)
  if (!names.has('connection')) lines.push('Connection: close')
  const framed = names.has('content-length') || names.has('transfer-encoding')
  if (request.body !== undefined && !framed) lines.push(`Content-Length: ${request.body.length}`)
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, request.latin1 ? 'latin1' : 'utf8')
  const body = request.body ?? Buffer.alloc(0)
  return Buffer.concat([head, request.cutAt === undefined ? body : body.subarray(0, request.cutAt)])
}

/** Decodes a chunked body; undefined while it is incomplete. */
function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const eol = data.indexOf('\r\n', at)
    if (eol === -1) return undefined
    const size = Number.parseInt(data.subarray(at, eol).toString('latin1'), 16)
    if (Number.isNaN(size)) return Buffer.concat(parts)
    if (size === 0) return Buffer.concat(parts)
    if (data.length < eol + 2 + size + 2) return undefined
    parts.push(data.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
}

/**
 * Parses a response from the bytes read so far; undefined while it may still grow. Interim (1xx)
 * responses are skipped. Throws when the bytes are not an HTTP response.
 */
export function parseResponse(data: Buffer, head: boolean, ended: boolean): WireResponse | undefined {
  const end = data.indexOf('\r\n\r\n')
  if (end === -1) {
    if (ended)
      throw new Error(`not an HTTP response: ${JSON.stringify(data.toString('latin1').slice(0, 200))}`)
    return undefined
  }
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n')
  const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine)
  if (!match) throw new Error(`bad status line: ${JSON.stringify(statusLine.slice(0, 200))}`)
  const status = Number(match[1])
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(':')
    return [line.slice(0, colon), line.slice(colon + 1).trim()]
  })
  const rest = data.subarray(end + 4)
  if (status >= 100 && status < 200 && status !== 101) return parseResponse(rest, head, ended)
  const response: WireResponse = { status, reason: match[2] ?? '', headers, body: Buffer.alloc(0) }
  if (head || status === 204 || status === 304) return response
  const chunked = /chunked/i.test(headerOf(response, 'transfer-encoding') ?? '')
  const length = headerOf(response, 'content-length')
  if (chunked) {
    const body = dechunk(rest)
    if (body === undefined) return ended ? { ...response, body: rest } : undefined
    return { ...response, body }
  }
  if (length !== undefined) {
    if (rest.length < Number(length) && !ended) return undefined
    return { ...response, body: rest.subarray(0, Number(length)) }
  }
  return ended ? { ...response, body: rest } : undefined
}

/** A complete response in `data`, or undefined. */
function parseQuietly(data: Buffer, head: boolean): WireResponse | undefined {
  try {
    return parseResponse(data, head, true)
  } catch {
    return undefined
  }
}

/** Sends raw bytes over a fresh TCP connection to 127.0.0.1 and reads one response. */
export function sendRaw(request: WireRequest, port: number, timeoutMs: number): Promise<Exchange> {
  const bytes = rawBytes(request, port)
  const head = request.method === 'HEAD'
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    const chunks: Buffer[] = []
    let settled = false
    let failure: string | undefined
    const finish = (exchange: Exchange) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve(exchange)
    }
    const attempt = (ended: boolean) => {
      try {
        const response = parseResponse(Buffer.concat(chunks), head, ended)
        if (response) finish({ response })
        else if (ended)
          finish({ error: failure ? `connection error ${failure}` : 'connection closed without a response' })
      } catch (error) {
        finish({ error: (error as Error).message })
      }
    }
    const timer = setTimeout(
      () => finish({ error: `no complete response within ${timeoutMs} ms` }),
      timeoutMs,
    )
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      attempt(false)
    })
    socket.on('end', () => attempt(true))
    socket.on('close', () => attempt(true))
    // A write error (EPIPE, ECONNRESET: the service answered early and closed) is not the end: what
    // it answered may still be read, and 'close' follows.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      failure = error.code ?? error.message
    })
    // In pieces, reading between them: an early answer (413 before a large body) is read before the
    // write fails, not lost with the connection.
    const write = (at: number): void => {
      if (socket.destroyed) return
      if (at >= bytes.length) {
        // Only a cut request ends its side early: servers may take a half-close for a client gone.
        if (request.cutAt !== undefined) socket.end()
        return
      }
      const piece = pause !== undefined && at < pause.at ? Math.min(PIECE, pause.at - at) : PIECE
      const next = () => {
        if (pause === undefined || at + piece !== pause.at) setImmediate(() => write(at + piece))
        else setTimeout(() => write(at + piece), pause.ms)
      }
      if (socket.write(bytes.subarray(at, at + piece))) next()
      else socket.once('drain', next)
    }
    const pause =
      request.pauseMs === undefined ? undefined : { at: Math.floor(bytes.length / 2), ms: request.pauseMs }
    write(0)
  })
}

const PIECE = 64 * 1024

/** Headers as node:http takes them; a repeated name becomes an array (one line each). */
function headerObject(request: WireRequest): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of request.headers) {
    const earlier = headers[name]
    headers[name] = earlier === undefined ? value : [earlier, value].flat()
  }
  // node:http frames no body of a GET or DELETE by itself: it would reach the server as a next request.
  const names = Object.keys(headers).map((name) => name.toLowerCase())
  const framed = names.includes('content-length') || names.includes('transfer-encoding')
  if (request.body !== undefined && request.body.length > 0 && !framed)
    headers['Content-Length'] = String(request.body.length)
  return headers
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 })

/** Sends a request with node:http (keep-alive), as an ordinary client would. */
export function sendHttp(request: WireRequest, port: number, timeoutMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    let settled = false
    let timer: NodeJS.Timeout | undefined
    const finish = (exchange: Exchange) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(exchange)
    }
    // Throws at once (rejecting this promise) when node:http refuses the target or a header.
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: request.method,
        path: request.target,
        agent,
        headers: headerObject(request),
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', (error) => finish({ error: `response error ${error.message}` }))
        res.on('end', () => {
          const headers: Array<[string, string]> = []
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            headers.push([res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string])
          }
          const status = res.statusCode ?? 0
          finish({
            response: { status, reason: res.statusMessage ?? '', headers, body: Buffer.concat(chunks) },
          })
        })
      },
    )
    timer = setTimeout(() => {
      req.destroy()
      finish({ error: `no complete response within ${timeoutMs} ms` })
    }, timeoutMs)
    req.on('error', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }) => {
      // node:http refuses a body after a HEAD answer (the service's answer to a request it could not
      // parse has one: it cannot know the method); the bytes it kept are the answer.
      const answer = error.rawPacket ? parseQuietly(error.rawPacket, request.method === 'HEAD') : undefined
      if (answer) finish({ response: answer })
      else finish({ error: `request error ${error.code ?? error.message}` })
    })
    req.end(request.body)
  })
}

/** Sends a request with its transport; one node:http refuses to send (odd bytes) goes raw. */
export async function send(request: WireRequest, port: number, timeoutMs = 20_000): Promise<Exchange> {
  const rawOnly =
    request.raw || request.cutAt !== undefined || request.latin1 || request.pauseMs !== undefined
  if (request.transport === 'raw' || rawOnly) {
    return sendRaw(request, port, timeoutMs)
  }
  let exchange: Exchange
  try {
    exchange = await sendHttp(request, port, timeoutMs)
  } catch {
    return sendRaw({ ...request, transport: 'raw' }, port, timeoutMs)
  }
  // A keep-alive connection the server closed as it was reused: the request never arrived; send again.
  // Or one that answered early and closed while node:http still wrote the body (EPIPE): raw reads as it writes.
  if (exchange.error === 'request error ECONNRESET' || exchange.error === 'request error EPIPE')
    return sendRaw({ ...request, transport: 'raw' }, port, timeoutMs)
  return exchange
}

/** Closes the keep-alive connections, so that the process can exit. */
export function closeConnections(): void {
  agent.destroy()
}
