import { createHash } from 'node:crypto'
import { getSigningKey, SignatureV4 } from '@smithy/signature-v4'
import type { HttpRequest } from '@smithy/types'
import { type ChecksumAlgorithm, createDigestHasher } from '../../src/s3/checksum-hasher.ts'
import { NodeSha256 } from '../../src/s3/sigv4-crypto.ts'
import { encodeAwsChunked } from '../s3/aws-chunked-encoder.ts'
import type { Step } from './plan.ts'
import { type PostUpload, postFormBody } from './s3-post-form.ts'

/** S3 credentials of a fixture key. */
export interface S3Credentials {
  accessKeyId: string
  secretAccessKey: string
}

/** How the body travels: `x-amz-content-sha256` and the body's encoding. */
export type PayloadMode =
  | 'signed'
  | 'unsigned'
  | 'streaming'
  | 'streaming-trailer'
  | 'unsigned-trailer'
  | 'mismatch'
  | 'garbage'
  | 'absent'

/** What is broken after (or while) signing a request that is otherwise valid. */
export const TAMPERS = [
  'none',
  'signature',
  'skew',
  'future',
  'region',
  'service',
  'signed-headers',
  'header-after',
  'query-after',
  'sigv2',
  'algorithm',
  'expired',
  'expires-huge',
  'date-garbage',
  'credential',
  'twice',
  'chunk-signature',
  'chunk-size-garbage',
  'chunk-size-huge',
  'chunk-size-short',
  'chunk-size-long',
  'chunk-extension',
  'trailer-signature',
  'trailer-garbage',
  'trailer-missing',
  'no-final-chunk',
  'decoded-short',
  'decoded-long',
  'decoded-garbage',
  'length-short',
  'length-long',
  'cut',
  'slow',
] as const

export type Tamper = (typeof TAMPERS)[number]

/** A declared checksum of the body: right, of other bytes, or not a checksum at all. */
export interface DeclaredChecksum {
  algorithm: ChecksumAlgorithm | 'md5'
  value: 'right' | 'wrong' | 'garbage'
  /** A header, or an aws-chunked trailer (only with a `-trailer` payload mode). */
  where: 'header' | 'trailer'
}

/** How an S3 step is signed, filled in as it is sent (credentials and times change per service). */
export interface S3Signing {
  /** Whose credentials: a fixture role's, or an access key id the service never issued. */
  as: string
  /** The `Authorization` header, a presigned query string, a signed POST form, or no signature. */
  how: 'header' | 'presign' | 'post' | 'anonymous'
  /** The browser upload, when `how` is `post`: the step's body is its file. */
  post?: PostUpload
  payload: PayloadMode
  tamper: Tamper
  /** aws-chunked data chunk sizes (repeated). */
  chunkSizes: number[]
  checksum?: DeclaredChecksum
}

const REGION = 'us-east-1'

/** Decodes a query component, keeping it as sent when it is not valid percent-encoding. */
function loose(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The query of a raw target as @smithy takes it; a name without `=` has the value `''`. */
function queryOf(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {}
  for (const part of search.split('&')) {
    if (part === '') continue
    const equals = part.indexOf('=')
    const name = loose(equals < 0 ? part : part.slice(0, equals))
    const value = equals < 0 ? '' : loose(part.slice(equals + 1))
    const earlier = query[name]
    query[name] = earlier === undefined ? value : [earlier, value].flat()
  }
  return query
}

async function digestOf(algorithm: DeclaredChecksum['algorithm'], data: Buffer): Promise<string> {
  const hasher = createDigestHasher(algorithm)
  hasher.update(data)
  return (await hasher.digest()).toString('base64')
}

async function checksumValue(declared: DeclaredChecksum, body: Buffer): Promise<string> {
  if (declared.value === 'garbage') return 'not-a-checksum=='
  return digestOf(
    declared.algorithm,
    declared.value === 'right' ? body : Buffer.concat([body, Buffer.from('x')]),
  )
}

const flip = (text: string, at: number) =>
  `${text.slice(0, at)}${text[at] === '0' ? '1' : '0'}${text.slice(at + 1)}`

const PAYLOAD_HEADER: Record<PayloadMode, string | undefined> = {
  signed: undefined,
  unsigned: 'UNSIGNED-PAYLOAD',
  streaming: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'streaming-trailer': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'unsigned-trailer': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  mismatch: createHash('sha256').update('what was signed').digest('hex'),
  garbage: 'STREAMING-SOMETHING-ELSE',
  absent: undefined,
}

/** A date for the signature: now, or off by more than the 15 minutes SigV4 allows. */
function signingDate(tamper: Tamper): Date {
  if (tamper === 'skew') return new Date(Date.now() - 3_600_000)
  if (tamper === 'future') return new Date(Date.now() + 3_600_000)
  if (tamper === 'expired') return new Date(Date.now() - 2 * 3_600_000)
  return new Date()
}

/** The body (aws-chunked when the mode streams) and the headers to sign for it. */
async function payload(step: Step, signing: S3Signing, seed?: string, key?: Uint8Array, date?: Date) {
  const data = step.body ?? Buffer.alloc(0)
  const headers: Record<string, string> = {}
  const mode = signing.payload
  const streaming = mode === 'streaming' || mode.endsWith('-trailer')
  const declared = signing.checksum
  if (declared && !(declared.where === 'trailer' && mode.endsWith('-trailer'))) {
    const value = await checksumValue(declared, data)
    headers[declared.algorithm === 'md5' ? 'content-md5' : `x-amz-checksum-${declared.algorithm}`] = value
  }
  const hash = PAYLOAD_HEADER[mode]
  if (mode === 'signed') headers['x-amz-content-sha256'] = createHash('sha256').update(data).digest('hex')
  else if (hash !== undefined) headers['x-amz-content-sha256'] = hash
  if (!streaming) return { headers, body: step.body }
  headers['content-encoding'] = 'aws-chunked'
  const decoded = { 'decoded-short': data.length - 1, 'decoded-long': data.length + 7 }[
    signing.tamper as 'decoded-short'
  ]
  headers['x-amz-decoded-content-length'] =
    signing.tamper === 'decoded-garbage' ? '12abc' : String(decoded ?? data.length)
  const trailers = new Map<string, string>()
  if (mode.endsWith('-trailer')) {
    const trailing = declared?.where === 'trailer' && declared.algorithm !== 'md5' ? declared : undefined
    const algorithm = trailing?.algorithm ?? 'crc32'
    headers['x-amz-trailer'] = `x-amz-checksum-${algorithm}`
    if (signing.tamper !== 'trailer-missing')
      trailers.set(
        `x-amz-checksum-${algorithm}`,
        trailing ? await checksumValue(trailing, data) : await digestOf(algorithm, data),
      )
  }
  if (seed === undefined || key === undefined || date === undefined) return { headers, body: step.body }
  const longDate = date.toISOString().replace(/[-:]|\.\d{3}/g, '')
  const chained =
    mode === 'unsigned-trailer'
      ? undefined
      : {
          signingKey: key,
          longDate,
          scope: `${longDate.slice(0, 8)}/${REGION}/s3/aws4_request`,
          seedSignature: seed,
        }
  const encoded = encodeAwsChunked(data, {
    chunkSizes: signing.chunkSizes,
    ...(chained ? { signing: chained } : {}),
    ...(mode.endsWith('-trailer') ? { trailers } : {}),
  })
  return { headers, body: breakChunks(encoded, signing.tamper) }
}

/** Breaks an aws-chunked body the way `tamper` says. */
function breakChunks(body: Buffer, tamper: Tamper): Buffer {
  const text = body.toString('latin1')
  const firstLine = text.indexOf('\r\n')
  const size = text.slice(0, firstLine).split(';')[0] ?? ''
  const rest = text.slice(size.length)
  const sized = (s: string) => Buffer.from(s + rest, 'latin1')
  switch (tamper) {
    case 'chunk-signature': {
      const at = text.indexOf('chunk-signature=')
      return at < 0 ? body : Buffer.from(flip(text, at + 20), 'latin1')
    }
    case 'chunk-size-garbage':
      return sized('zz')
    case 'chunk-size-huge':
      return sized('ffffffffffffffff')
    case 'chunk-size-short':
      return sized(Math.max(0, Number.parseInt(size, 16) - 1).toString(16))
    case 'chunk-size-long':
      return sized((Number.parseInt(size, 16) + 1).toString(16))
    case 'chunk-extension':
      return Buffer.from(`${size};foo=bar${';x'.repeat(40)}${rest}`, 'latin1')
    case 'trailer-signature': {
      const at = text.indexOf('x-amz-trailer-signature:')
      return at < 0 ? body : Buffer.from(flip(text, at + 30), 'latin1')
    }
    case 'trailer-garbage': {
      const end = text.lastIndexOf('\r\n\r\n')
      return Buffer.from(`${text.slice(0, end)}\r\nno colon here${text.slice(end)}`, 'latin1')
    }
    case 'no-final-chunk': {
      const end = text.lastIndexOf('\r\n0')
      return Buffer.from(text.slice(0, end < 0 ? text.length : end + 2), 'latin1')
    }
    default:
      return body
  }
}

/** The step with the signature `signing` asks for, valid or broken as it says. */
export async function signS3(
  step: Step,
  signing: S3Signing,
  credentials: S3Credentials | undefined,
  port: number,
): Promise<Step> {
  const question = step.target.indexOf('?')
  const path = question < 0 ? step.target : step.target.slice(0, question)
  const search = question < 0 ? '' : step.target.slice(question + 1)
  const own = Object.fromEntries(step.headers.map(([n, v]) => [n.toLowerCase(), v]))
  // A virtual-host style step names its own Host (`<bucket>.<domain>`); the port is the listener's.
  const host = own.host === undefined ? `127.0.0.1:${port}` : `${own.host}:${port}`
  const date = signingDate(signing.tamper)
  const unsignedBody = await payload(step, signing)
  const request: HttpRequest = {
    method: step.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path,
    query: queryOf(search),
    headers: { ...own, ...unsignedBody.headers, host },
  }
  const creds = credentials ?? {
    accessKeyId: 'CFRNOSUCHKEY000000000000',
    secretAccessKey: 'not-the-secret-of-any-key-0000000000000',
  }
  const region = signing.tamper === 'region' ? 'eu-west-3' : REGION
  const service = signing.tamper === 'service' ? 'ec2' : 's3'
  const signer = new SignatureV4({
    credentials: creds,
    region,
    service,
    sha256: NodeSha256,
    uriEscapePath: false,
  })
  const shortDate = date.toISOString().slice(0, 10).replaceAll('-', '')
  const key = await getSigningKey(NodeSha256, creds, shortDate, REGION, 's3')
  // A body chained to a signature that is not there (presigned, anonymous) starts from zeros.
  const bodyFor = async (seed = '0'.repeat(64)) => (await payload(step, signing, seed, key, date)).body
  if (signing.how === 'anonymous') return finish(step, request, await bodyFor(), signing)
  if (signing.how === 'post' && signing.post) {
    const form = postFormBody(
      signing.post,
      step.body ?? Buffer.alloc(0),
      { accessKeyId: creds.accessKeyId, signingKey: key },
      date,
    )
    const headers = { ...own, host, 'content-type': form.contentType }
    return finish(step, { ...request, headers }, form.body, signing)
  }
  if (signing.how === 'presign') {
    const expiresIn = signing.tamper === 'expired' ? 60 : 600
    const presigned = await signer.presign(request, { signingDate: date, expiresIn })
    return finish(step, presigned, await bodyFor(), signing)
  }
  const signed = await signer.sign(request, { signingDate: date })
  const seed = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1]
  return finish(step, signed, await bodyFor(seed), signing)
}

/** The query of a signed request as sent: the step's own (raw) parameters, then the signer's. */
function searchOf(step: Step, signed: HttpRequest): string {
  const question = step.target.indexOf('?')
  const own = question < 0 ? '' : step.target.slice(question + 1)
  const ownNames = new Set(Object.keys(queryOf(own)))
  const added = Object.entries(signed.query ?? {})
    .filter(([name]) => !ownNames.has(name))
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
  return [own, ...added].filter((part) => part !== '').join('&')
}

/** Applies the tampers that change a signed request, and makes the step to send. */
function finish(step: Step, signed: HttpRequest, body: Buffer | undefined, signing: S3Signing): Step {
  const headers = Object.entries(signed.headers).map(([n, v]): [string, string] => [n, String(v)])
  let search = searchOf(step, signed)
  const set = (name: string, value: string) => {
    const found = headers.find(([n]) => n.toLowerCase() === name)
    if (found) found[1] = value
    else headers.push([name, value])
  }
  const auth = headers.find(([n]) => n.toLowerCase() === 'authorization')
  switch (signing.tamper) {
    case 'signature':
      if (auth)
        auth[1] = auth[1].replace(/Signature=(.)/, (_, c: string) => `Signature=${c === 'a' ? 'b' : 'a'}`)
      search = search.replace(
        /X-Amz-Signature=(.)/,
        (_, c: string) => `X-Amz-Signature=${c === 'a' ? 'b' : 'a'}`,
      )
      break
    case 'signed-headers':
      if (auth) auth[1] = auth[1].replace(/SignedHeaders=[^,]*/, 'SignedHeaders=host')
      search = search.replace(/X-Amz-SignedHeaders=[^&]*/, 'X-Amz-SignedHeaders=host%3Bx-amz-date')
      break
    case 'header-after':
      set('x-amz-meta-added', 'after signing')
      set('x-amz-date', '20200101T000000Z')
      break
    case 'expires-huge':
      // Past the week SigV4 allows (which @smithy refuses to sign): changed after signing.
      search = search.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=604801')
      if (auth) set('x-amz-expires', '604801')
      break
    case 'query-after':
      search = `${search}&response-content-type=text%2Fhtml`
      break
    case 'sigv2':
      if (auth) auth[1] = 'AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg='
      else search = 'AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=9999999999&Signature=abc'
      break
    case 'algorithm':
      if (auth) auth[1] = auth[1].replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256')
      search = search.replace('X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Algorithm=AWS4-HMAC-SHA1')
      break
    case 'date-garbage':
      set('x-amz-date', '2026-13-45T99:99:99Z')
      search = search.replace(/X-Amz-Date=[^&]*/, 'X-Amz-Date=garbage')
      break
    case 'credential':
      if (auth) auth[1] = auth[1].replace(/Credential=[^,]*/, 'Credential=/%2F/../aws4_request')
      search = search.replace(/X-Amz-Credential=[^&]*/, 'X-Amz-Credential=x%2F%2F%2F%2F')
      break
    case 'twice':
      if (auth) headers.push(['Authorization', auth[1]])
      else search = `${search}&X-Amz-Signature=${'0'.repeat(64)}`
      break
  }
  const path = step.target.split('?')[0] ?? '/'
  const sent: Step = {
    ...step,
    target: search === '' ? path : `${path}?${search}`,
    headers,
  }
  if (body !== undefined) sent.body = body
  else delete sent.body
  const length = body?.length ?? 0
  if (signing.tamper === 'length-short' && length > 1) {
    sent.headers.push(['Content-Length', String(length - 1)])
    sent.transport = 'raw'
  } else if (signing.tamper === 'length-long' || (signing.tamper === 'cut' && length > 1)) {
    // More declared than sent, then the client's side ends: a body cut mid-way.
    sent.headers.push(['Content-Length', String(length + (signing.tamper === 'cut' ? 0 : 10))])
    sent.cutAt = signing.tamper === 'cut' ? Math.floor(length / 2) : length
  }
  // A client that stalls mid-body for a second, then sends the rest.
  if (signing.tamper === 'slow') sent.pauseMs = 1000
  return sent
}
