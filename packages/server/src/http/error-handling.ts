import type { Socket } from 'node:net'
import { StorageError } from '@coffer/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { refuseNonFiniteNumbers } from './finite-numbers.ts'
import { lingerOnClose } from './lingering-close.ts'
import { PROBLEM_TYPE, problemOf, rawProblem, toPublicError } from './problem.ts'
import { answerProtocolErrors } from './protocol-errors.ts'
import { malformedContentType } from './receive-object.ts'

const STALE_HEADERS = [
  'content-disposition',
  'etag',
  'last-modified',
  'content-length',
  'accept-ranges',
  'cache-control',
  'content-encoding',
  'x-coffer-cache-control',
  'x-coffer-content-disposition',
]
const failures = new WeakMap<FastifyRequest, StorageError>()

/** The error a request failed with, for its log line. */
export function failureOf(request: FastifyRequest): StorageError | undefined {
  return failures.get(request)
}

/**
 * Every error becomes an `application/problem+json` response (RFC 9457) with Coffer's error code;
 * 401s say how to authenticate (RFC 9110 §11.6.1), 416s give the object's size when it is known.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  answerProtocolErrors(app)
  app.addHook('onRoute', refuseNonFiniteNumbers)
  app.setErrorHandler((raw, request, reply) => {
    const error = malformedContentType(raw, request) ?? toPublicError(raw)
    failures.set(request, error)
    const problem = problemOf(error)
    if (problem.status === 401) reply.header('www-authenticate', 'Bearer')
    // Too many uploads at once: one of them is likely to have finished a second later.
    if (problem.status === 429) reply.header('retry-after', '1')
    // An upload refused before its end: close the connection instead of reading the rest of the
    // body, lingering so that the close does not reset the answer away.
    if (!request.raw.complete) {
      reply.header('connection', 'close')
      lingerOnClose(request.raw)
    }
    // Headers of a half-prepared object response must not describe the problem document.
    for (const name of STALE_HEADERS) reply.removeHeader(name)
    for (const name of Object.keys(reply.getHeaders())) {
      if (name.startsWith('x-coffer-meta-')) reply.removeHeader(name)
    }
    if (problem.status !== 416) reply.removeHeader('content-range')
    return reply.code(problem.status).type(PROBLEM_TYPE).send(problem)
  })
  app.setNotFoundHandler((request, reply) => {
    const detail = `no route for ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}`
    return reply
      .code(404)
      .type(PROBLEM_TYPE)
      .send(problemOf(new StorageError('NotFound', detail)))
  })
}

/** Parser failures that have a status of their own; every other malformed request is a 400. */
const CLIENT_ERRORS: Record<string, { status: number; title: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    title: 'Request Header Fields Too Large',
    detail: 'the request headers are larger than the service accepts',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    title: 'Request Timeout',
    detail: 'the request took too long to arrive',
  },
}

/** Malformed HTTP (bad header bytes, CR/LF in a value, oversized headers): a problem document on the raw socket. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) return
  const known = CLIENT_ERRORS[error.code ?? '']
  const { status, title, detail } = known ?? {
    status: 400,
    title: 'Bad Request',
    detail: 'the request is not valid HTTP',
  }
  socket.end(rawProblem(status, title, detail))
}
