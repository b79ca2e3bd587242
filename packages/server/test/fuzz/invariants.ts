import { ERROR_CODES } from '../../../core/src/errors.ts'
import { S3_ERROR_STATUS } from '../../src/s3/s3-error.ts'
import type { Step } from './plan.ts'
import { type Exchange, headerOf, type WireResponse } from './wire.ts'

/** A broken invariant, before it is tied to its case. */
export interface Violation {
  /** Which rule broke, e.g. `5xx for a client request`. */
  invariant: string
  /** What the response said, with ids, numbers and quoted values blanked, for grouping. */
  message: string
  status?: number
}

/** Strings no response may contain: the admin key, the signing secret, host paths of the service. */
export interface Secrets {
  adminKey: string
  signingSecret: string
  root: string
  /** The fixture keys' S3 secret access keys. */
  s3Secrets: string[]
}

const CODES = new Set<string>(ERROR_CODES)

/** A message with its variable parts blanked, so that one bug found with many inputs is one group. */
export function generalize(text: string): string {
  return text
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\b[0-9a-f]{16,}\b/g, 'ID')
    .replace(/\d+/g, 'N')
    .slice(0, 160)
}

/** What a body that is not a problem document says: its `code` and `message` if JSON, else its text. */
function gist(body: Buffer): string {
  const text = body.toString('utf8')
  try {
    const doc = JSON.parse(text) as Record<string, unknown>
    const said = `JSON ${String(doc.code ?? '')} ${String(doc.message ?? doc.error ?? '')}`
    return generalize(said.replace(/'[^']*'/g, '"…"'))
  } catch {
    return text === '' ? 'no body' : JSON.stringify(text.slice(0, 60).replace(/\d+/g, 'N'))
  }
}

/** The problem document of an error response, or why it is not one. */
function problemOf(
  response: WireResponse,
  head: boolean,
): { code?: string; detail?: string; wrong?: string } {
  const type = headerOf(response, 'content-type') ?? '(none)'
  if (!/^application\/problem\+json\b/i.test(type)) {
    return { wrong: `Content-Type ${type.replace(/\d+/g, 'N')}, ${head ? 'HEAD' : gist(response.body)}` }
  }
  if (head) return {}
  try {
    const doc = JSON.parse(response.body.toString('utf8')) as {
      code?: unknown
      status?: unknown
      detail?: unknown
    }
    if (typeof doc.code !== 'string' || !CODES.has(doc.code))
      return { wrong: `code ${JSON.stringify(doc.code)}` }
    if (doc.status !== response.status) return { wrong: `status member ${String(doc.status)}` }
    return { code: doc.code, detail: typeof doc.detail === 'string' ? doc.detail : '' }
  } catch {
    return { wrong: 'a body that is not JSON' }
  }
}

/**
 * The S3 error document of an error response, or why it is not one: `application/xml`, an `<Error>`
 * with a `<Code>` S3 knows, answered with that code's status (a HEAD has no body to check).
 */
function s3ErrorOf(response: WireResponse, head: boolean): { code?: string; wrong?: string } {
  const type = headerOf(response, 'content-type') ?? '(none)'
  if (head) return {}
  if (!/^application\/xml\b/i.test(type))
    return { wrong: `Content-Type ${type.replace(/\d+/g, 'N')}, ${gist(response.body)}` }
  const text = response.body.toString('utf8')
  const code = /^<\?xml[^>]*>\s*<Error>[\s\S]*<Code>([A-Za-z0-9]+)<\/Code>[\s\S]*<\/Error>\s*$/.exec(
    text,
  )?.[1]
  if (code === undefined) return { wrong: `not an S3 error document: ${JSON.stringify(text.slice(0, 60))}` }
  const status = S3_ERROR_STATUS[code as keyof typeof S3_ERROR_STATUS]
  if (status === undefined) return { wrong: `code ${code}` }
  if (status !== response.status) return { wrong: `${code} with status ${response.status}` }
  return { code }
}

/** The signatures a request carries (header, presigned query, aws-chunked chunks): never to be echoed. */
function signaturesOf(step: Step): string[] {
  const text = [step.target, ...step.headers.map(([, v]) => v), step.body?.toString('latin1') ?? ''].join(
    '\n',
  )
  return [...text.matchAll(/[Ss]ignature[=:]([0-9a-f]{64})/g)].map((m) => m[1] ?? '')
}

/** The invariants of an answer of the S3 endpoint: a request id, S3 XML errors, no 5xx but 501. */
function checkS3(step: Step, response: WireResponse): Violation[] {
  const found: Violation[] = []
  const { status } = response
  if (!headerOf(response, 'x-amz-request-id'))
    found.push({ invariant: 'S3 answer without x-amz-request-id', message: String(status), status })
  if (status < 400) return found
  const error = s3ErrorOf(response, step.method === 'HEAD')
  const said =
    error.wrong === undefined ? `${status} ${error.code ?? ''}`.trim() : `${status}, ${error.wrong}`
  // NotImplemented is S3's answer to an operation not served, not a failure of the service.
  const unserved = status === 501 && (error.code === 'NotImplemented' || step.method === 'HEAD')
  if (status >= 500 && !unserved)
    found.push({ invariant: `${status} for a client request`, message: said, status })
  else if (error.wrong !== undefined)
    found.push({ invariant: 'S3 error is not an S3 XML document', message: said, status })
  return found
}

/** Whether the request was meant to end early (the client closed its side mid-body). */
function cutShort(step: Step): boolean {
  return step.cutAt !== undefined
}

/**
 * The invariants of one exchange: an answer to every complete request; no 5xx for a client's
 * request (the fs driver and SQLite on loopback have no fault of their own to report); a 500 says
 * "Internal Server Error"; every error is a problem document with a code; no secret or host path.
 */
export function checkExchange(step: Step, exchange: Exchange, secrets: Secrets): Violation[] {
  const response = exchange.response
  if (!response) {
    if (cutShort(step)) return []
    return [{ invariant: 'no response', message: generalize(exchange.error ?? 'none') }]
  }
  const s3 = step.listener === 's3'
  const found: Violation[] = s3 ? checkS3(step, response) : []
  const { status } = response
  const head = step.method === 'HEAD'
  const problem = status >= 400 && !s3 ? problemOf(response, head) : {}
  const said =
    problem.wrong === undefined
      ? `${status} ${problem.code ?? ''} ${generalize(problem.detail ?? '')}`.trim()
      : `${status}, not a problem document: ${problem.wrong}`
  if (status >= 500 && !s3) found.push({ invariant: `${status} for a client request`, message: said, status })
  if (status === 500 && response.reason !== 'Internal Server Error') {
    found.push({
      invariant: '500 status line',
      message: `reason phrase ${JSON.stringify(response.reason)}`,
      status,
    })
  }
  if (problem.wrong !== undefined && status < 500 && !s3) {
    found.push({
      invariant: 'error is not a problem document',
      message: `${status} ${problem.wrong}`,
      status,
    })
  }
  const text = [
    response.reason,
    ...response.headers.map(([n, v]) => `${n}: ${v}`),
    response.body.toString('latin1'),
    response.body.toString('utf8'),
  ].join('\n')
  const leaks: Array<[string, string]> = [
    ['the admin key', secrets.adminKey],
    ['the signing secret', secrets.signingSecret],
    ['the data dir path', secrets.root],
    ...secrets.s3Secrets.map((secret): [string, string] => ['an S3 secret access key', secret]),
    ...signaturesOf(step).map((signature): [string, string] => ["the request's signature", signature]),
  ]
  for (const [what, secret] of leaks) {
    if (text.includes(secret)) found.push({ invariant: `response shows ${what}`, message: said, status })
  }
  return found
}

const clip = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max)}…(${text.length})` : text

/**
 * A request as a failure report shows it: method, target, headers, transport and a body excerpt.
 * `hide` puts placeholders back for values that change with every service (the fixtures' tokens).
 */
export function describeRequest(step: Step, hide: (text: string) => string = (t) => t): string {
  if (step.raw) return hide(`raw bytes ${clip(JSON.stringify(step.raw.toString('latin1')), 400)}`)
  // What went on the wire: a cut or Latin-1 request goes raw whatever its transport (see `send`).
  const raw = step.transport === 'raw' || step.cutAt !== undefined || step.latin1
  const lines = [
    `${step.method} ${clip(JSON.stringify(step.target), 300)} (${raw ? 'raw' : 'http'}${step.latin1 ? ', latin1' : ''})`,
  ]
  for (const [name, value] of step.headers) lines.push(`  ${name}: ${clip(JSON.stringify(value), 160)}`)
  if (step.body !== undefined) {
    const cut =
      (step.cutAt === undefined ? '' : `, connection ended after ${step.cutAt}`) +
      (step.pauseMs === undefined ? '' : `, paused ${step.pauseMs} ms halfway`)
    lines.push(
      `  body (${step.body.length} bytes${cut}): ${clip(JSON.stringify(step.body.toString('utf8')), 200)}`,
    )
  }
  return hide(lines.join('\n'))
}

/** A response as a failure report shows it. */
export function describeResponse(exchange: Exchange): string {
  const r = exchange.response
  if (!r) return `no response: ${exchange.error}`
  const type = headerOf(r, 'content-type') ?? '(no content-type)'
  return `HTTP ${r.status} ${JSON.stringify(r.reason)}; ${type}; ${clip(JSON.stringify(r.body.toString('utf8')), 300)}`
}
