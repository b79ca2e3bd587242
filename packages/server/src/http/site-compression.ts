import { pipeline, Readable } from 'node:stream'
import { constants, createBrotliCompress, createGzip } from 'node:zlib'
import type { FastifyRequest } from 'fastify'
import type { App } from './typed-app.ts'

/** Types worth compressing: text, scripts, JSON, XML and SVG (images and video are compressed already). */
const COMPRESSIBLE =
  /^(text\/|application\/(javascript|ecmascript|json|ld\+json|manifest\+json|xml|xhtml\+xml|wasm)|image\/svg\+xml)/

/** Below this, headers outweigh the bytes saved. */
const MIN_BYTES = 1024

const compressible = new WeakSet<FastifyRequest>()

/** Marks a request whose answer (a site's file) may be compressed. */
export function allowCompression(request: FastifyRequest): void {
  compressible.add(request)
}

/**
 * The coding to answer with, from an Accept-Encoding header (RFC 9110 §12.5.3): brotli, else gzip,
 * when the client accepts it (a q-value of 0 refuses; `*` accepts both); none otherwise.
 */
export function chooseEncoding(header: string | undefined): 'br' | 'gzip' | undefined {
  const accepted = new Map<string, number>()
  for (const part of (header ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim())
    if (name === undefined || name === '') continue
    const q = params.find((p) => p.startsWith('q='))
    accepted.set(name, q === undefined ? 1 : Number(q.slice(2)) || 0)
  }
  const wildcard = accepted.get('*') ?? 0
  for (const coding of ['br', 'gzip'] as const) if ((accepted.get(coding) ?? wildcard) > 0) return coding
  return undefined
}

/**
 * Compresses sites' whole answers (200, and the 404 page) of compressible types by the client's
 * Accept-Encoding, as they stream. Ranges (206) and 304s go as they are: a range is of the stored
 * bytes. The ETag becomes weak, since the bytes sent are not the stored ones, and still matches
 * If-None-Match (compared weakly); `Vary: Accept-Encoding` keeps caches from mixing the codings.
 */
export function compressSiteAnswers(app: App): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const type = String(reply.getHeader('content-type') ?? '')
    if (!compressible.has(request) || !COMPRESSIBLE.test(type)) return done(null, payload)
    reply.header('vary', 'Accept-Encoding')
    const length = Number(reply.getHeader('content-length') ?? 0)
    const whole = request.method === 'GET' && (reply.statusCode === 200 || reply.statusCode === 404)
    const encoding = chooseEncoding(request.headers['accept-encoding'])
    if (!whole || length < MIN_BYTES || reply.hasHeader('content-encoding') || encoding === undefined) {
      return done(null, payload)
    }
    if (!(payload instanceof Readable) && !Buffer.isBuffer(payload)) return done(null, payload)
    reply.removeHeader('content-length')
    reply.header('content-encoding', encoding)
    const etag = reply.getHeader('etag')
    if (typeof etag === 'string' && !etag.startsWith('W/')) reply.header('etag', `W/${etag}`)
    const source = Buffer.isBuffer(payload) ? Readable.from([payload]) : payload
    // Quality 5: most of brotli's gain at a fraction of the top levels' time, as the bytes stream.
    const coder =
      encoding === 'br'
        ? createBrotliCompress({
            params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: length },
          })
        : createGzip()
    // A failing source fails the coder, and the answer with it: Fastify ends the connection.
    done(
      null,
      pipeline(source, coder, () => undefined),
    )
  })
}
