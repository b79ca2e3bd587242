import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { StorageError } from '@coffer/core'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PROBLEM_TYPE, problemOf, protocolProblemBody, rawProblem } from './problem.ts'

/** What the client got wrong in errors Fastify raises before routing; their messages echo the URL. */
const FRAMEWORK_DETAILS: Record<string, string> = {
  FST_ERR_BAD_URL: 'the URL has a malformed percent-encoding',
  FST_ERR_MAX_PARAM_LENGTH: 'a part of the URL is too long',
}

/**
 * Fastify's `frameworkErrors`: a URL that cannot be routed (a malformed percent-encoding, a path
 * parameter over the limit) answers a 400 problem document that does not echo the URL, as Fastify's
 * own JSON answer did.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const detail = FRAMEWORK_DETAILS[error.code] ?? 'the request cannot be routed'
  const problem = problemOf(new StorageError('InvalidArgument', detail))
  reply.code(problem.status).type(PROBLEM_TYPE).header('x-content-type-options', 'nosniff')
  reply.send(JSON.stringify(problem))
}

/** A problem document on a response no route handles. */
function writeProblem(response: ServerResponse, status: number, title: string, detail: string): void {
  const body = protocolProblemBody(status, title, detail)
  response.writeHead(status, {
    'content-type': PROBLEM_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-content-type-options': 'nosniff',
    connection: 'close',
  })
  response.end(body)
}

/**
 * Answers as problem documents the malformed requests Node's HTTP server would answer with an empty
 * body of its own: an `Expect` other than `100-continue` (417, RFC 9110 §10.1.1), and an HTTP/1.1
 * request without `Host` (400, RFC 9112 §3.2; the server is created with `requireHostHeader: false`
 * so that this check, not Node's, answers), and a CONNECT (405) instead of a closed socket.
 */
export function answerProtocolErrors(app: FastifyInstance): void {
  // Node destroys the socket of a CONNECT no listener takes: the client would get no answer at all.
  app.server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy())
    socket.end(rawProblem(405, 'Method Not Allowed', 'this service is not a proxy: CONNECT is not served'))
  })
  app.server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) => {
    writeProblem(
      response,
      417,
      'Expectation Failed',
      'the only expectation this service meets is 100-continue',
    )
  })
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.headers.host === undefined && request.raw.httpVersionMinor === 1) {
      done(new StorageError('InvalidArgument', 'an HTTP/1.1 request needs a Host header'))
    } else done()
  })
}
