import { StorageError } from './errors.ts'
import { HeaderScanner } from './header-scanner.ts'

/** The longest `Content-Disposition` Coffer accepts. */
export const MAX_DISPOSITION_LENGTH = 1024

/** A disposition parsed by `parseDisposition`. */
export interface Disposition {
  kind: 'inline' | 'attachment'
  /** The file name, decoded (from `filename*` when given, else `filename`). */
  fileName?: string
}

/** C0 and C1 controls and DEL: never in a file name. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/**
 * Bidirectional embeddings, overrides and isolates, refused in file names as in keys (see keys.ts):
 * `invoice<U+202E>fdp.exe` shows as `invoiceexe.pdf` in a save dialog that does not strip them.
 */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/

/** Any character but controls: a quoted `filename` may be UTF-8 text (Coffer decodes raw bytes first). */
const QUOTED_TEXT = (char: string) => !CONTROL.test(char)

/** RFC 8187 `ext-value` (`charset'[language]'value-chars`) in UTF-8 or ISO-8859-1, decoded. */
function decodeExtValue(value: string): string | undefined {
  const match = /^(utf-8|iso-8859-1)'[a-z0-9-]*'((?:%[0-9a-f]{2}|[a-z0-9!#$&+.^_`|~-])*)$/i.exec(value)
  if (match === null) return undefined
  const bytes = Buffer.from(
    (match[2] ?? '').replace(/%([0-9a-f]{2})/gi, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    ),
    'latin1',
  )
  if (match[1]?.toLowerCase() === 'iso-8859-1') return bytes.toString('latin1')
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/**
 * Parses a `Content-Disposition` (RFC 6266): `inline` or `attachment`, with an optional `filename`
 * (token or quoted-string) and/or `filename*` (RFC 8187); nothing else. Undefined when the value
 * is anything else, or its file name is empty, holds control or bidirectional control characters
 * or is not valid Unicode.
 */
export function parseDisposition(value: string): Disposition | undefined {
  if (typeof value !== 'string' || value.length > MAX_DISPOSITION_LENGTH) return undefined
  const scan = new HeaderScanner(value)
  scan.ows()
  const kind = scan.token()?.toLowerCase()
  if (kind !== 'inline' && kind !== 'attachment') return undefined
  const parameters = scan.parameters(QUOTED_TEXT)
  if (parameters === undefined) return undefined
  const { filename, 'filename*': extended, ...others } = Object.fromEntries(parameters)
  if (Object.keys(others).length > 0) return undefined
  const fileName = extended === undefined ? filename : decodeExtValue(extended)
  if (extended !== undefined && fileName === undefined) return undefined
  if (fileName === undefined) return { kind }
  if (fileName === '' || CONTROL.test(fileName) || BIDI_CONTROL.test(fileName)) return undefined
  if (!fileName.isWellFormed()) return undefined
  return { kind, fileName }
}

/** RFC 8187 encoding for `filename*`: percent-encoded UTF-8, with the characters RFC 5987 reserves. */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/**
 * A `Content-Disposition` value (RFC 6266) with an ASCII `filename` for old clients and the exact
 * UTF-8 name in `filename*`: printable ASCII whatever the name, so it is always a valid header.
 */
export function dispositionHeader(kind: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeExtValue(fileName)}`
}

/**
 * The canonical form of a parsed disposition: a name of plain ASCII as `filename="…"` alone, any
 * other with `filename*` too (see `dispositionHeader`).
 */
export function serializeDisposition(disposition: Disposition): string {
  const { kind, fileName } = disposition
  if (fileName === undefined) return kind
  return /^[\x20-\x7e]+$/.test(fileName) && !/["\\%]/.test(fileName)
    ? `${kind}; filename="${fileName}"`
    : dispositionHeader(kind, fileName)
}

/**
 * The canonical form of a `Content-Disposition`, or `InvalidArgument` when `parseDisposition` refuses
 * it: the only form Coffer stores, pins in a signed URL or sends.
 */
export function normalizeDisposition(value: string): string {
  const parsed = parseDisposition(value)
  if (parsed === undefined) {
    throw new StorageError(
      'InvalidArgument',
      'content disposition must be "inline" or "attachment", with an optional filename or filename*',
    )
  }
  const canonical = serializeDisposition(parsed)
  // Percent-encoding makes a long non-ASCII name longer: what is stored must parse again when served.
  if (canonical.length > MAX_DISPOSITION_LENGTH) {
    throw new StorageError('InvalidArgument', 'the file name of the content disposition is too long')
  }
  return canonical
}
