import { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Coding, CompressedFiles, SiteFile } from '../domain/sites/compressed-files.ts'
import type { App } from './typed-app.ts'

/** Types worth compressing: text, scripts, JSON, XML and SVG (images and video are compressed already). */
const COMPRESSIBLE =
  /^(text\/|application\/(javascript|ecmascript|json|ld\+json|manifest\+json|xml|xhtml\+xml|wasm)|image\/svg\+xml)/

/** Below this, headers outweigh the bytes saved. */
const MIN_BYTES = 1024

/** The longest wait for the cache's index and bytes before compressing afresh. */
const CACHE_WAIT = 10_000

/** Each coding's suffix in an ETag: `"<stored etag>-br"`, a validator per representation. */
const SUFFIX: Record<Coding, string> = { br: '-br', gzip: '-gz' }

/** What a site request is about to serve: the file's place, and the coding its validator named. */
interface Marked {
  file?: { bucket: string; key: string }
  /** The coding of the ETag in If-None-Match, taken off so that the stored object's ETag matches. */
  conditional?: Coding
}

const marked = new WeakMap<FastifyRequest, Marked>()

/**
 * Marks a request whose answer (a site's file) may be compressed, and takes each coding's suffix off
 * the ETags of its If-None-Match, so that the file's own validator decides the 304.
 */
export function allowCompression(request: FastifyRequest): void {
  const state: Marked = {}
  const header = request.headers['if-none-match']
  if (header !== undefined) {
    request.headers['if-none-match'] = header.replace(/-(br|gz)"/g, (_, coding: string) => {
      state.conditional = coding === 'br' ? 'br' : 'gzip'
      return '"'
    })
  }
  marked.set(request, state)
}

/** Tells the compression which stored file a site request is serving now. */
export function servingFile(request: FastifyRequest, bucket: string, key: string): void {
  const state = marked.get(request)
  if (state !== undefined) state.file = { bucket, key }
}

/**
 * The coding to answer with, from an Accept-Encoding header (RFC 9110 §12.5.3): brotli, else gzip,
 * when the client accepts it (a q-value of 0 refuses; `*` accepts both); none otherwise.
 */
export function chooseEncoding(header: string | undefined): Coding | undefined {
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

/** The ETag of a representation in `coding`: the stored one with the coding's suffix. */
function codedEtag(etag: string, coding: Coding): string {
  return etag.endsWith('"') ? `${etag.slice(0, -1)}${SUFFIX[coding]}"` : etag
}

/** Whether an answer is a site's file of a compressible type (whose representation varies by coding). */
function varies(request: FastifyRequest, reply: FastifyReply): boolean {
  return marked.get(request)?.file !== undefined && COMPRESSIBLE.test(String(reply.getHeader('content-type')))
}

/** The file a whole answer sends, when it may be compressed: a site file of a fitting type and size. */
function compressibleFile(request: FastifyRequest, reply: FastifyReply): SiteFile | undefined {
  const file = marked.get(request)?.file
  if (file === undefined || !varies(request, reply)) return undefined
  const contentType = String(reply.getHeader('content-type'))
  const size = Number(reply.getHeader('content-length') ?? 0)
  const etag = reply.getHeader('etag')
  const whole = request.method === 'GET' && (reply.statusCode === 200 || reply.statusCode === 404)
  if (!whole || size < MIN_BYTES || typeof etag !== 'string' || reply.hasHeader('content-encoding')) {
    return undefined
  }
  return { ...file, etag, contentType, size }
}

/**
 * Compresses sites' whole answers (200, and the 404 page) of compressible types by the client's
 * Accept-Encoding: from the cache of compressed files when the file was compressed before, else
 * as the file streams, storing the result for the next request. Ranges (206) go as they are: a range
 * is of the stored bytes. Each coding has its own strong ETag (`"…-br"`, `"…-gz"`), which a 304
 * answers with; `Vary: Accept-Encoding` keeps caches from mixing the codings.
 */
export function compressSiteAnswers(app: App, files: CompressedFiles): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const state = marked.get(request)
    const etag = reply.getHeader('etag')
    if (reply.statusCode === 304 && state?.conditional !== undefined && typeof etag === 'string') {
      reply.header('etag', codedEtag(etag, state.conditional)).header('vary', 'Accept-Encoding')
    }
    if (varies(request, reply)) reply.header('vary', 'Accept-Encoding')
    const file = compressibleFile(request, reply)
    const coding = chooseEncoding(request.headers['accept-encoding'])
    const body = payload instanceof Readable || Buffer.isBuffer(payload) ? payload : undefined
    if (file === undefined || coding === undefined || body === undefined) return done(null, payload)
    reply.removeHeader('content-length')
    reply.header('content-encoding', coding).header('etag', codedEtag(file.etag, coding))
    const source = Buffer.isBuffer(body) ? Readable.from([body]) : body
    files.open(file, coding, AbortSignal.timeout(CACHE_WAIT)).then(
      (stored) => {
        if (stored === undefined) return done(null, files.compress(file, coding, source))
        source.destroy()
        reply.header('content-length', stored.size)
        done(null, stored.body)
      },
      (error: unknown) => {
        // The cache is an optimisation: the answer goes out compressed without it.
        request.log.warn({ err: error }, 'the cache of compressed site files could not be read')
        done(null, files.compress(file, coding, source, false))
      },
    )
  })
}
