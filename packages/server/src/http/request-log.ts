import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify'
import type { DestinationStream } from 'pino'
import { failureOf } from './error-handling.ts'
import { TUS_PATH } from './tus-uploads.ts'

/** Query parameters whose values are credentials: signatures, tokens, keys. */
const SECRET_PARAM = /signature|token|credential|secret|key|auth|password|session/i

/**
 * A request URL fit for a log line: the values of credential-like query parameters (Coffer's and
 * S3's signatures, `access_token`, …) are replaced by `[redacted]`.
 */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?')
  if (mark === -1) return url
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=')
      const name = eq === -1 ? pair : pair.slice(0, eq)
      let decoded = name
      try {
        if (name.includes('%')) decoded = decodeURIComponent(name)
      } catch {
        // keep the raw name
      }
      return eq !== -1 && SECRET_PARAM.test(decoded) ? `${name}=[redacted]` : pair
    })
  return `${url.slice(0, mark)}?${query.join('&')}`
}

/**
 * An upload URL fit for a log line at any level: an upload id is half of what it takes to act on an
 * upload (with its creator's credential), so of whatever follows `/v1/uploads` only the first 4
 * characters of the id are kept (`/v1/uploads/3f9a…`), enough to tell uploads apart in a log. tus
 * URLs carry no query of their own, so a query is cut too.
 */
export function redactUploadUrl(url: string): string {
  // Slashes doubled anywhere in the prefix too: `/v1//uploads/<id>` answers 404, but names the id.
  const prefix = UPLOADS_PREFIX.exec(url)?.[0]
  if (prefix === undefined) return url
  const rest = url.slice(prefix.length)
  const kept = rest.startsWith('/') ? rest.slice(0, 5).replace(/[?#].*/, '') : ''
  return kept.length < rest.length ? `${TUS_PATH}${kept}…` : url
}

/**
 * A share link's URL fit for a log line: of `/share/<id>.<mac>` the id is kept (it names the share's
 * record for the operator, and opens nothing without its MAC), the MAC is cut.
 */
export function redactShareUrl(url: string): string {
  return url.startsWith(SHARE_PATH) ? url.replace(/^(\/share\/[^/.?#]{0,22})[^?#]*.*$/s, '$1…') : url
}

/** Where share links start, on the content origin. */
export const SHARE_PATH = '/share/'

/** `TUS_PATH` at the start of a URL, however many slashes separate its segments. */
const UPLOADS_PREFIX = new RegExp(`^${TUS_PATH.replaceAll('/', '/+')}`, 'i')

/**
 * Logger options: Fastify's two lines per request are replaced by one (see `logRequest`), and the
 * header paths that carry credentials are redacted should anything log a request's headers. Lines go
 * to `stream`, or to stdout as each is made.
 */
export function loggerOptions(level: string, stream?: DestinationStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream === undefined ? {} : { stream }),
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-coffer-signature"]',
        'res.headers["set-cookie"]',
        'headers.authorization',
        'headers.cookie',
      ],
      censor: '[redacted]',
    },
  }
}

/** The one log line of a request: method, redacted URL, status, time, caller, and the error code if any. */
export function logRequest(request: FastifyRequest, reply: FastifyReply): void {
  const line: Record<string, unknown> = {
    method: request.method,
    url: redactUrl(redactUploadUrl(redactShareUrl(request.url))),
    status: reply.statusCode,
    ms: Math.round(reply.elapsedTime * 10) / 10,
    remote: request.ip,
  }
  const error = failureOf(request)
  if (error !== undefined) {
    line.code = error.code
    // The cause of a server failure helps the operator; it is a redacted copy for fs errors.
    if (reply.statusCode >= 500 && error.cause instanceof Error) line.cause = describeError(error.cause)
  }
  // 501: a feature not served (S3's NotImplemented), a refusal rather than a failure of the service.
  if (reply.statusCode >= 500 && reply.statusCode !== 501) request.log.error(line, 'request failed')
  else request.log.info(line, 'request')
}

/** Name, code and message of a cause chain, without stacks (they name the install's paths). */
export function describeError(error: Error, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: error.message }
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') out.code = code
  if (depth >= 4) return out
  if (error.cause instanceof Error) out.cause = describeError(error.cause, depth + 1)
  return out
}
