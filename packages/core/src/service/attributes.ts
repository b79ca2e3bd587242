import { normalizeDisposition } from '../content-disposition.ts'
import type { DriverPutOptions } from '../driver.ts'
import { StorageError } from '../errors.ts'
import type { ObjectAttributes, Visibility } from '../types.ts'

/** S3's limit on user metadata (names and values together), kept on every driver. */
export const MAX_METADATA_BYTES = 2048

const NAME = /^[a-z0-9][a-z0-9_-]{0,127}$/
const CONTROL = /[\u0000-\u001f\u007f]/

function invalid(message: string): never {
  throw new StorageError('InvalidArgument', message)
}

/**
 * User metadata travels as HTTP headers (`x-coffer-meta-*`, `x-amz-meta-*`), so names are
 * case-insensitive tokens and values must not contain control characters (CR/LF would split headers).
 * Names are stored lower-case.
 */
export function normalizeMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  let bytes = 0
  for (const [rawName, value] of Object.entries(metadata ?? {})) {
    const name = rawName.toLowerCase()
    if (!NAME.test(name))
      invalid(`metadata name "${rawName.slice(0, 64)}" must be letters, digits, "-" or "_"`)
    if (name.startsWith('coffer-')) invalid(`metadata names starting with "coffer-" are reserved`)
    if (typeof value !== 'string') invalid(`metadata "${name}" must be a string`)
    if (CONTROL.test(value)) invalid(`metadata "${name}" contains control characters`)
    if (Object.hasOwn(out, name)) invalid(`metadata "${name}" is given twice`)
    out[name] = value
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value)
  }
  if (bytes > MAX_METADATA_BYTES) invalid(`metadata is larger than ${MAX_METADATA_BYTES} bytes`)
  return out
}

/** A header Coffer sends back as stored: printable ASCII, so every reader sees the same bytes. */
function headerValue(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !/^[\x20-\x7e]*$/.test(value) || value.length > 1024) {
    invalid(`${name} must be at most 1024 characters of printable ASCII`)
  }
  return value
}

function visibilityOf(value: Visibility | undefined): Visibility {
  if (value === undefined) return 'private'
  if (value !== 'public' && value !== 'private') invalid('visibility must be "public" or "private"')
  return value
}

/** Checks and completes the attributes of a write, with their defaults. */
export function writeAttributes(
  attributes: ObjectAttributes,
  contentType: string,
): Pick<
  DriverPutOptions,
  'contentType' | 'metadata' | 'visibility' | 'cacheControl' | 'contentDisposition' | 'contentEncoding'
> {
  const out: ReturnType<typeof writeAttributes> = {
    contentType,
    metadata: normalizeMetadata(attributes.metadata),
    visibility: visibilityOf(attributes.visibility),
  }
  const cacheControl = headerValue('cacheControl', attributes.cacheControl)
  const contentDisposition =
    attributes.contentDisposition === undefined
      ? undefined
      : normalizeDisposition(attributes.contentDisposition)
  const contentEncoding = headerValue('contentEncoding', attributes.contentEncoding)
  if (cacheControl !== undefined) out.cacheControl = cacheControl
  if (contentDisposition !== undefined) out.contentDisposition = contentDisposition
  if (contentEncoding !== undefined) out.contentEncoding = contentEncoding
  return out
}
