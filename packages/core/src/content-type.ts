import { fileTypeFromBuffer } from 'file-type'
import mime from 'mime'
import { normalizeMediaType, parseMediaType } from './media-type.ts'

/** Bytes read from the start of a body to recognise its type (file-type's own sample size). */
export const SNIFF_BYTES = 4100

const FALLBACK = 'application/octet-stream'

/** Types a browser may execute on the origin that serves them. */
const ACTIVE = new Set([
  'text/html',
  'application/xhtml+xml',
  'image/svg+xml',
  'text/xml',
  'application/xml',
  'text/javascript',
  'application/javascript',
  'application/ecmascript',
  'text/ecmascript',
  'application/x-javascript',
  'text/xsl',
  'application/xslt+xml',
])

/** Formats that other formats are built on (an .xlsx is a zip): a more precise declared type wins. */
const CONTAINERS = new Set([
  'application/zip',
  'application/x-cfb',
  'application/xml',
  'text/xml',
  'application/ogg',
  'video/mp4',
  'application/gzip',
])

/**
 * The type without parameters, lower-case (`Text/HTML; charset=utf-8` → `text/html`), as
 * `parseMediaType` reads it; the empty string, which matches no type, for a value it refuses.
 */
export function essence(type: string): string {
  return parseMediaType(type)?.essence ?? ''
}

/**
 * HTML, SVG, XML, JavaScript and multipart types (Chromium renders each part of a
 * `multipart/x-mixed-replace` by its own type): the server serves these as attachments under a
 * sandboxing CSP. So is any type `parseMediaType` refuses: a browser could read it as another type.
 */
export function isActiveType(type: string): boolean {
  const parsed = parseMediaType(type)
  if (parsed === undefined) return true
  return ACTIVE.has(parsed.essence) || parsed.essence.endsWith('+xml') || parsed.type === 'multipart'
}

/** Whether `type` matches one of `patterns` (`image/png`, `image/*`, `*` or `*\/*`). */
export function matchesType(type: string, patterns: readonly string[]): boolean {
  const base = essence(type)
  return patterns.some((pattern) => {
    const p = (pattern.split(';')[0] ?? '').trim().toLowerCase()
    if (p === '*' || p === '*/*') return true
    if (p.endsWith('/*')) return base.startsWith(p.slice(0, -1))
    return base === p
  })
}

/**
 * A declared type in its canonical form (see `normalizeMediaType`, which refuses a malformed one
 * with `InvalidArgument`); undefined for "no real declaration" (none, or `application/octet-stream`).
 */
export function normalizeDeclaredType(type: string | undefined): string | undefined {
  if (type === undefined || type.trim() === '') return undefined
  const normalized = normalizeMediaType(type)
  return essence(normalized) === FALLBACK ? undefined : normalized
}

const HTML_TAGS = [
  '!doctype html',
  'html',
  'head',
  'script',
  'iframe',
  'h1',
  'div',
  'font',
  'table',
  'a',
  'style',
].concat(['title', 'b', 'body', 'br', 'p', '!--'])

/**
 * Recognises markup that a browser would execute, following the WHATWG MIME Sniffing standard's
 * "HTML" and "XML" patterns (§7.1), plus `<svg`. file-type only knows binary formats.
 */
function sniffMarkup(head: Uint8Array): string | undefined {
  const text = Buffer.from(head.subarray(0, 1024))
    .toString('latin1')
    .replace(/^(\u00ef\u00bb\u00bf)?[\t\n\f\r ]*/, '')
    .toLowerCase()
  if (text.startsWith('<svg')) return 'image/svg+xml'
  if (text.startsWith('<?xml')) return text.includes('<svg') ? 'image/svg+xml' : 'text/xml'
  for (const tag of HTML_TAGS) {
    const next = text.charAt(tag.length + 1)
    if (text.startsWith(`<${tag}`) && (next === ' ' || next === '>')) return 'text/html'
  }
  return undefined
}

export interface DetectInput {
  /** The first bytes of the body (up to `SNIFF_BYTES`). */
  head: Uint8Array
  /** A key or file name whose extension hints at the type. */
  name?: string
  /** The type the uploader declared. */
  declared?: string
}

/**
 * Decides an upload's content type. The bytes win when they are recognised, because a declared type
 * is only a claim: a PNG labelled `text/html` is stored as `image/png`, and HTML labelled `image/png`
 * as `text/html`. A declared (or extension) type is kept when the bytes say nothing, or when it refines
 * a container format the bytes show (an `.xlsx` is a zip) and is not itself an active type.
 */
export async function detectContentType(input: DetectInput): Promise<string> {
  const sniffed = sniffMarkup(input.head) ?? (await fileTypeFromBuffer(input.head))?.mime
  const declared = normalizeDeclaredType(input.declared)
  const claimed = declared ?? (input.name === undefined ? undefined : (mime.getType(input.name) ?? undefined))
  if (sniffed === undefined) return claimed ?? FALLBACK
  if (claimed === undefined) return sniffed
  if (essence(claimed) === sniffed) return claimed
  if (CONTAINERS.has(sniffed) && !isActiveType(claimed)) return claimed
  return sniffed
}

/** The type a file name's extension suggests, or undefined. */
export function typeFromName(name: string): string | undefined {
  return mime.getType(name) ?? undefined
}
