import { StorageError } from './errors.ts'
import { HeaderScanner, quoteIfNeeded } from './header-scanner.ts'

/** The longest media type Coffer accepts (a real one is a few dozen characters). */
export const MAX_MEDIA_TYPE_LENGTH = 255

/** A media type parsed by `parseMediaType`: lower-case type and subtype, parameters in order. */
export interface MediaType {
  type: string
  subtype: string
  /** `type/subtype`, the part that decides how a browser treats the body. */
  essence: string
  /** Names in lower case; values as given (unquoted). */
  parameters: ReadonlyMap<string, string>
}

/** Printable ASCII but `,` (see `parseMediaType` on commas). */
const QUOTED_TEXT = (char: string) => char >= ' ' && char <= '~' && char !== ','

/**
 * Parses a media type strictly, per RFC 9110 §8.3.1: exactly one `type/subtype` of token characters
 * and `;name=value` parameters, printable ASCII only, at most `MAX_MEDIA_TYPE_LENGTH` characters.
 * Stricter than the RFC where browsers read a value differently from it: no comma anywhere (Fetch's
 * "extract a MIME type" splits `Content-Type` on commas and keeps the *last* valid type, so
 * `image/png;,text/html` is HTML to a browser; a comma inside quotes is split by some readers and
 * not by others), no `*` in the type (Fetch skips a `*\/*` type), no repeated parameter. Undefined
 * when the value is anything else.
 */
export function parseMediaType(value: string): MediaType | undefined {
  if (typeof value !== 'string' || value.length > MAX_MEDIA_TYPE_LENGTH) return undefined
  const scan = new HeaderScanner(value)
  scan.ows()
  const type = scan.token()?.toLowerCase()
  if (type === undefined || !scan.eat('/')) return undefined
  const subtype = scan.token()?.toLowerCase()
  if (subtype === undefined || type.includes('*') || subtype.includes('*')) return undefined
  const parameters = scan.parameters(QUOTED_TEXT)
  if (parameters === undefined) return undefined
  return { type, subtype, essence: `${type}/${subtype}`, parameters }
}

/**
 * The canonical form of a parsed type, as WHATWG's "serialize a MIME type" writes it:
 * `type/subtype;name=value`, lower-case names, values quoted only when they are not tokens.
 */
export function serializeMediaType(type: MediaType): string {
  let out = type.essence
  for (const [name, value] of type.parameters) out += `;${name}=${quoteIfNeeded(value)}`
  return out
}

/**
 * The canonical form of a media type, or `InvalidArgument` when `parseMediaType` refuses it: the
 * only form Coffer stores, pins in a signed URL or sends.
 */
export function normalizeMediaType(value: string): string {
  const parsed = parseMediaType(value)
  if (parsed === undefined) {
    throw new StorageError(
      'InvalidArgument',
      'content type must be one "type/subtype" with ";name=value" parameters, printable ASCII, no commas',
    )
  }
  return serializeMediaType(parsed)
}
