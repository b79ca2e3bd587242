import { CofferError } from './coffer-error.ts'

/** How an uploaded object is described: what the service keeps with its bytes. */
export interface ObjectAttributes {
  /** The object's type; the service detects it from the bytes and the name when absent. */
  contentType?: string | undefined
  /** The `Cache-Control` the content origin answers with. */
  cacheControl?: string | undefined
  /** The `Content-Disposition` the content origin answers with. */
  contentDisposition?: string | undefined
  /** User metadata: names of token characters, values any UTF-8 text. */
  metadata?: Record<string, string> | undefined
  /** Seconds until the object expires: it stops being served then, and a sweep deletes it. */
  expiresIn?: number | undefined
}

/** What a HEAD or GET answer says about an object. */
export interface ObjectHead {
  size: number
  etag: string
  contentType: string
  lastModified: string
  metadata: Record<string, string>
  /** `public` or `private`, when the service says. */
  visibility?: string
  /** The sha256 of the bytes, when the service says. */
  sha256?: string
  /** The object's own `Cache-Control` (the API answers with its own: `private`). */
  cacheControl?: string
  /** The object's own `Content-Disposition` (the API answers every object as an attachment). */
  contentDisposition?: string
}

/** Metadata names the service takes (`x-coffer-meta-<name>`, a header name's token characters). */
const META_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/

/** Whether a (lower-case) metadata name can be carried in a header, as the service takes it. */
export function isMetadataName(name: string): boolean {
  return META_NAME.test(name)
}
const META = 'x-coffer-meta-'

/** UTF-8 text as the Latin-1 string `fetch` sends byte for byte (header values are bytes). */
function utf8AsLatin1(text: string): string {
  return String.fromCharCode(...new TextEncoder().encode(text))
}

/** A header value's bytes read back as UTF-8 (`fetch` gives header bytes as Latin-1 characters). */
export function latin1AsUtf8(text: string): string {
  return new TextDecoder().decode(Uint8Array.from(text, (c) => c.charCodeAt(0)))
}

/**
 * The request headers of an upload with these attributes. Metadata values go as UTF-8 bytes, which the
 * service reads back as UTF-8; a name no header can carry is an `InvalidArgument`.
 */
export function attributeHeaders(attributes: ObjectAttributes): Record<string, string> {
  const headers: Record<string, string> = {}
  if (attributes.contentType !== undefined) headers['content-type'] = attributes.contentType
  if (attributes.cacheControl !== undefined) headers['cache-control'] = attributes.cacheControl
  if (attributes.contentDisposition !== undefined)
    headers['content-disposition'] = utf8AsLatin1(attributes.contentDisposition)
  if (attributes.expiresIn !== undefined) headers['x-coffer-expires'] = String(attributes.expiresIn)
  for (const [raw, value] of Object.entries(attributes.metadata ?? {})) {
    const name = raw.trim().toLowerCase()
    if (!META_NAME.test(name))
      throw new CofferError(
        'InvalidArgument',
        0,
        `bad metadata name ${JSON.stringify(raw)}: use letters, digits, - or _`,
      )
    headers[`${META}${name}`] = utf8AsLatin1(value)
  }
  return headers
}

/** The object described by a HEAD or GET answer's headers. */
export function headOfHeaders(headers: Headers): ObjectHead {
  const metadata: Record<string, string> = {}
  for (const [name, value] of headers) {
    if (name.startsWith(META)) metadata[name.slice(META.length)] = latin1AsUtf8(value)
  }
  const range = /\/(\d+)$/.exec(headers.get('content-range') ?? '')?.[1]
  const head: ObjectHead = {
    size: Number(range ?? headers.get('content-length') ?? 0),
    etag: headers.get('etag') ?? '',
    contentType: headers.get('content-type') ?? '',
    lastModified: new Date(headers.get('last-modified') ?? 0).toISOString(),
    metadata,
  }
  const visibility = headers.get('x-coffer-visibility')
  if (visibility !== null) head.visibility = visibility
  const sha256 = headers.get('x-coffer-sha256')
  if (sha256 !== null) head.sha256 = sha256
  const cacheControl = headers.get('x-coffer-cache-control')
  if (cacheControl !== null) head.cacheControl = cacheControl
  const disposition = headers.get('x-coffer-content-disposition')
  if (disposition !== null) head.contentDisposition = latin1AsUtf8(disposition)
  return head
}
