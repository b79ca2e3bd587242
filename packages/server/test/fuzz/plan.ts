import fc from 'fast-check'
import type { S3Signing } from './s3-signing.ts'
import type { WireRequest } from './wire.ts'

/**
 * One request of a case. Its strings may hold placeholders the runner fills in from the fixtures and
 * from earlier answers of the same case: `{token:<role>}`, `{case}` (the case's number), `{upload}`
 * and `{upload0}` (the last and the first tus upload id), `{offset}` (the last Upload-Offset), and
 * `{signed}` (the path and query of the last signed URL), `{stored}` (the key of the last tus upload,
 * as a URL path), `{s3upload}` (the last S3 multipart upload id), `{etag<N>}` (the ETag of its part N).
 */
export interface Step extends WireRequest {
  /** The route, as failures are grouped: `PUT /v1/buckets/:bucket/objects/*`. */
  route: string
  /** How to sign it for the S3 endpoint, as it is sent. */
  s3?: S3Signing
  /**
   * The object (`<bucket>/<key>`) it writes, deletes, changes in a way not known here (a copy, a
   * completion) or reads: reads must show what the case last wrote, and agree with each other.
   */
  mirror?: { object: string; op: 'write' | 'delete' | 'change' | 'read' }
}

/** Requests sent one after the other, or sequences sent side by side. */
export type Op = Step | { parallel: Step[][] }

/** A case: what one fast-check run sends. Cases start from the same fixtures, so each replays alone. */
export type Plan = Op[]

/** `raw` (node:net) or `http` (node:http, keep-alive): the same request both ways. */
export const transport = fc.constantFrom<WireRequest['transport']>('raw', 'http')

/** A step; headers whose value is undefined are left out, an empty `auth` sends no Authorization. */
export function step(
  route: string,
  method: string,
  target: string,
  headers: Array<[string, string | undefined]>,
  options: Partial<WireRequest> & { auth?: string } = {},
): Step {
  const { auth, ...rest } = options
  const present = headers.filter((h): h is [string, string] => h[1] !== undefined)
  if (auth) present.unshift(['Authorization', auth])
  return { route, method, target, headers: present, transport: 'http', ...rest }
}

/** A JSON body and its Content-Type header. */
export function json(text: string): { body: Buffer; headers: Array<[string, string]> } {
  return { body: Buffer.from(text), headers: [['Content-Type', 'application/json']] }
}

/** Query string of defined parameters; `raw` leaves values unencoded (odd bytes on the wire). */
export function query(params: Record<string, string | undefined>, raw = false): string {
  const pairs = Object.entries(params).filter((p): p is [string, string] => p[1] !== undefined)
  if (pairs.length === 0) return ''
  const encode = (v: string) => (raw || !v.isWellFormed() ? v : encodeURIComponent(v))
  return `?${pairs.map(([k, v]) => `${k}=${encode(v)}`).join('&')}`
}
