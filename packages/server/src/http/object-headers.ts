import { isActiveType, type ObjectInfo } from '@coffer/core'
import type { FastifyReply } from 'fastify'
import { writeMetadata } from './metadata-headers.ts'

/**
 * The policy of responses with active content: no script, no plugin, no fetch, in a sandbox with a
 * unique origin, so an uploaded page cannot act on Coffer's origin even if it is opened. (Not sent
 * with passive types: Chromium will not show a PDF in a sandboxed document.)
 */
export const SANDBOX_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

/** An object's file name for downloads: the key's last segment. */
export function fileNameOf(key: string): string {
  return (
    key
      .split('/')
      .filter((s) => s !== '')
      .pop() ?? 'download'
  )
}

/** RFC 8187 encoding for `filename*`: percent-encoded UTF-8, with the characters RFC 5987 reserves. */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/**
 * A `Content-Disposition` value (RFC 6266) with an ASCII `filename` for old clients and the exact
 * UTF-8 name in `filename*`.
 */
export function dispositionHeader(kind: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeExtValue(fileName)}`
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
}

/**
 * Headers of an object response. Active types (HTML, SVG, XML, JavaScript), and every type with
 * `neverRender`, are attachments under the sandboxing CSP, so a browser saves them instead of
 * rendering them;
 * `nosniff` (set on every response) stops browsers from guessing another type.
 */
export function setObjectHeaders(reply: FastifyReply, info: ObjectInfo, opts: ServeHeaderOptions = {}): void {
  const contentType = opts.contentType ?? info.contentType
  reply.header('content-type', contentType)
  reply.header('etag', info.etag)
  reply.header('last-modified', info.lastModified.toUTCString())
  reply.header('accept-ranges', 'bytes')
  if (info.cacheControl !== undefined) reply.header('cache-control', info.cacheControl)
  if (info.contentEncoding !== undefined) reply.header('content-encoding', info.contentEncoding)
  const stored = opts.contentDisposition ?? info.contentDisposition
  const inert = opts.neverRender === true || isActiveType(contentType)
  if (inert) reply.header('content-security-policy', SANDBOX_CSP)
  if (opts.download === true || inert) {
    reply.header('content-disposition', dispositionHeader('attachment', fileNameOf(info.key)))
  } else if (stored !== undefined) {
    reply.header('content-disposition', stored)
  }
  writeMetadata(reply, info.metadata)
}
