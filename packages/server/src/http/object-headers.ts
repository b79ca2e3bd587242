import {
  dispositionHeader,
  isActiveType,
  type ObjectInfo,
  parseDisposition,
  parseMediaType,
  serializeDisposition,
  serializeMediaType,
} from '@coffer/core'
import type { FastifyReply } from 'fastify'
import { writeMetadata } from './metadata-headers.ts'

/** Moved to the core, beside the parser of the values it writes; kept here for existing imports. */
export { dispositionHeader } from '@coffer/core'

/**
 * The policy of responses with active content: no script, no plugin, no fetch, in a sandbox with a
 * unique origin, so an uploaded page cannot act on Coffer's origin even if it is opened. (Not sent
 * with passive types: Chromium will not show a PDF in a sandboxed document.)
 */
export const SANDBOX_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

const FALLBACK_TYPE = 'application/octet-stream'

/** An object's file name for downloads: the key's last segment. */
export function fileNameOf(key: string): string {
  return (
    key
      .split('/')
      .filter((s) => s !== '')
      .pop() ?? 'download'
  )
}

/** What Node lets a header value hold (it throws on anything else, after the status is chosen). */
const HEADER_SAFE = /^[\t\x20-\x7e\x80-\xff]*$/

/**
 * Sets a header from stored data, or leaves it out when the value cannot be a header: a record
 * from older data, or an object written to the S3 bucket behind Coffer's back, may hold what
 * Coffer no longer accepts, and must not turn every read into a 500.
 */
export function setStoredHeader(reply: FastifyReply, name: string, value: string | undefined): void {
  if (value !== undefined && HEADER_SAFE.test(value)) reply.header(name, value)
}

/**
 * An object's `Cache-Control`. On the content origin, the stored one (the writer set it for the CDN
 * in front of signed and public URLs). With `neverRender` (the API origin), `private`: an API answer
 * is for one credential, and a stored `public` would let a shared cache keep a private object and
 * hand it to anyone (RFC 9111 §3.5); the stored value goes in `x-coffer-cache-control` for clients.
 * With `expiresAt` (a signed URL), `private` and no fresher than the URL: a shared cache must not go
 * on serving what the URL no longer grants (it expired, or its issuer was revoked).
 */
export function setCacheControl(
  reply: FastifyReply,
  stored: string | undefined,
  opts: Pick<ServeHeaderOptions, 'neverRender' | 'expiresAt' | 'site' | 'noStore'> = {},
): void {
  if (opts.noStore === true) {
    reply.header('cache-control', 'no-store')
    return
  }
  if (opts.site !== undefined) {
    reply.header('cache-control', opts.site.cacheControl)
    return
  }
  if (opts.expiresAt !== undefined) {
    const left = Math.max(0, Math.floor((opts.expiresAt.getTime() - Date.now()) / 1000))
    reply.header('cache-control', `private, max-age=${left}`)
    return
  }
  if (opts.neverRender !== true) {
    setStoredHeader(reply, 'cache-control', stored)
    return
  }
  reply.header('cache-control', 'private')
  setStoredHeader(reply, 'x-coffer-cache-control', stored)
}

/** How to answer with an object, beyond what its record says. */
export interface ServeHeaderOptions {
  /** Force `attachment` (the `?download` query). */
  download?: boolean
  /** Type to answer with instead of the stored one (pinned by a signed URL). */
  contentType?: string
  /** Disposition to answer with instead of the stored one (pinned by a signed URL). */
  contentDisposition?: string
  /**
   * The API origin: every type is an attachment under the sandbox CSP. API clients read the bytes;
   * a browser never renders them where the UI keeps its credentials.
   */
  neverRender?: boolean
  /** When the signed URL being answered expires: caches keep the answer privately until then at most. */
  expiresAt?: Date
  /**
   * No cache may keep the answer (`no-store`): each request must reach Coffer, which counts it and
   * refuses it once its link is revoked (a share link).
   */
  noStore?: boolean
  /**
   * A site's file on the site's own origin (`<site>.sites.<domain>`): active types are served
   * inline, without the sandbox, since a site's pages are meant to run and nothing else lives on
   * that origin; the Cache-Control is the site's.
   */
  site?: { cacheControl: string }
  /** The prefix of metadata headers: `x-coffer-meta-` (default), or S3's `x-amz-meta-`. */
  metadataPrefix?: string
  /** How a metadata value goes into its header; default its UTF-8 bytes (S3: RFC 2047 words). */
  encodeMetadata?: (value: string) => string
  /**
   * Headers that replace what the object's record says (S3's `response-*` overrides of a signed
   * request), set last. The type and disposition are not among them: they go through `contentType`
   * and `contentDisposition`, so the rules for active types above still hold.
   */
  headers?: Readonly<Record<string, string>>
  /**
   * Headers that describe one version of the object (S3's stored checksum), sent only when the
   * object answered is that version: a write that lands between a look-up and the read cannot get
   * another version's checksum.
   */
  versionHeaders?: { etag: string; headers: Readonly<Record<string, string>> }
}

/**
 * Headers of an object response. Active types (HTML, SVG, XML, JavaScript), and every type with
 * `neverRender`, are attachments under the sandboxing CSP, so a browser saves them instead of
 * rendering them; `nosniff` (set on every response) stops browsers from guessing another type. A
 * type that does not parse strictly goes out as `application/octet-stream`, an attachment; a
 * disposition that does not parse, as an attachment named after the key.
 */
export function setObjectHeaders(reply: FastifyReply, info: ObjectInfo, opts: ServeHeaderOptions = {}): void {
  // Parsed again, although uploads and signed URLs only take canonical values: stored or pinned
  // data from before may not be, and what does not parse strictly is sent as bytes to download.
  const type = parseMediaType(opts.contentType ?? info.contentType)
  const stored = opts.contentDisposition ?? info.contentDisposition
  const disposition = stored === undefined ? undefined : parseDisposition(stored)
  reply.header('content-type', type === undefined ? FALLBACK_TYPE : serializeMediaType(type))
  setStoredHeader(reply, 'etag', info.etag)
  reply.header('last-modified', info.lastModified.toUTCString())
  reply.header('accept-ranges', 'bytes')
  setCacheControl(reply, info.cacheControl, opts)
  setStoredHeader(reply, 'content-encoding', info.contentEncoding)
  const inert =
    opts.neverRender === true || type === undefined || (opts.site === undefined && isActiveType(type.essence))
  if (inert) reply.header('content-security-policy', SANDBOX_CSP)
  if (opts.download === true || inert || (stored !== undefined && disposition === undefined)) {
    reply.header('content-disposition', dispositionHeader('attachment', fileNameOf(info.key)))
  } else if (disposition !== undefined) {
    reply.header('content-disposition', serializeDisposition(disposition))
  }
  // The API origin answers every object as an attachment; API clients (a copy) read the stored one.
  if (opts.neverRender === true && disposition !== undefined) {
    reply.header('x-coffer-content-disposition', serializeDisposition(disposition))
  }
  writeMetadata(reply, info.metadata, opts.metadataPrefix, opts.encodeMetadata)
  for (const [name, value] of Object.entries(opts.headers ?? {})) reply.header(name, value)
  if (opts.versionHeaders?.etag === info.etag) reply.headers(opts.versionHeaders.headers)
}
