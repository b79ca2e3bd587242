import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Principal } from '../domain/auth/scopes.ts'
import type { AppContext } from '../http/app-context.ts'
import type { RequestTarget } from './request-target.ts'
import { S3Error } from './s3-error.ts'
import type { VerifiedRequest } from './sigv4-verifier.ts'

/** One S3 request as the operations see it: who signed it, and what it names. */
export interface S3Call {
  readonly ctx: AppContext
  readonly request: FastifyRequest
  readonly reply: FastifyReply
  /** The region clients sign for. */
  readonly region: string
  readonly target: RequestTarget
  /** The verified signature; undefined for an anonymous request. */
  readonly verified: VerifiedRequest | undefined
  /** The API key the signature's access key id belongs to; undefined for an anonymous request. */
  readonly principal: Principal | undefined
  /** The bucket of a path-style URL (`/<bucket>/...`), if any. */
  readonly bucket: string | undefined
  /** The object key of a path-style URL (`/<bucket>/<key>`), if any. */
  readonly key: string | undefined
}

/** S3's user metadata headers. */
export const AMZ_META = 'x-amz-meta-'

/** The owner every document names: one service, one owner. */
export const OWNER = { id: 'coffer', displayName: 'coffer' }

/** An ETag as S3 sends it: in double quotes. */
export function quotedEtag(etag: string): string {
  return etag.startsWith('"') ? etag : `"${etag}"`
}

/** Sends an S3 XML document. */
export function sendXml(call: S3Call, xml: string, status = 200): void {
  call.reply.code(status).type('application/xml').send(xml)
}

/** Splits a path-style path into its bucket and key, both decoded. */
export function s3Path(rawPath: string): { bucket?: string; key?: string } {
  try {
    return splitPath(rawPath.slice(1))
  } catch (error) {
    throw new S3Error('InvalidArgument', 'the URL has a malformed percent-encoding', { cause: error })
  }
}

function splitPath(path: string): { bucket?: string; key?: string } {
  if (path === '') return {}
  const slash = path.indexOf('/')
  const bucket = decodeURIComponent(slash < 0 ? path : path.slice(0, slash))
  const key = slash < 0 || slash === path.length - 1 ? undefined : decodeURIComponent(path.slice(slash + 1))
  return key === undefined ? { bucket } : { bucket, key }
}

/** The principal of a call that must be signed; an anonymous call gets `AccessDenied`. */
export function signedBy(call: S3Call): Principal {
  if (call.principal === undefined) throw new S3Error('AccessDenied', 'Access Denied')
  return call.principal
}

/** Query parameters naming S3 features this endpoint does not serve (yet): `NotImplemented`. */
const UNSERVED = new Set([
  'accelerate',
  'acl',
  'analytics',
  'cors',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'session',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versioning',
  'website',
])

/** Refuses a request for a subresource this endpoint does not serve, naming it. */
export function refuseUnserved(call: S3Call): void {
  for (const name of call.target.query.keys()) {
    if (UNSERVED.has(name))
      throw new S3Error('NotImplemented', `?${name} is not implemented by this endpoint`)
  }
}
