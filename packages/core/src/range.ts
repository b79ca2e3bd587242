import { StorageError } from './errors.ts'
import type { RangeSpec, ResolvedRange } from './types.ts'

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/

function invalid(message: string, objectSize?: number): StorageError {
  return new StorageError('InvalidRange', message, objectSize === undefined ? {} : { objectSize })
}

/**
 * Parses a `Range` header value with one byte range (RFC 9110 §14.1.2): `bytes=a-b`, `bytes=a-` or
 * `bytes=-n`. Throws `InvalidRange` for anything else, multiple ranges included: Coffer serves one
 * range per request, as S3 does. (An HTTP server may prefer to ignore such a header and send 200.)
 */
export function parseRange(header: string): RangeSpec {
  const match = SINGLE_RANGE.exec(header.trim().replace(/\s+/g, ''))
  if (!match) throw invalid(`unsupported range "${header.slice(0, 64)}": use bytes=a-b, bytes=a- or bytes=-n`)
  const [, first = '', last = ''] = match
  if (first === '' && last === '') throw invalid('a range needs a first or a last position')
  if (first === '') return { suffix: toSafeInteger(last) }
  const start = toSafeInteger(first)
  if (last === '') return { start }
  const end = toSafeInteger(last)
  if (end < start) throw invalid(`range end ${end} is before its start ${start}`)
  return { start, end }
}

function toSafeInteger(digits: string): number {
  const value = Number(digits)
  if (!Number.isSafeInteger(value)) throw invalid('range position is too large')
  return value
}

/**
 * Resolves a range against an object's size. Per RFC 9110 §14.1.2 a range starting past the end is
 * unsatisfiable (→ `InvalidRange`, HTTP 416); an end past the end is clipped; a suffix longer than the
 * object selects all of it. Returns undefined when the range selects the whole of an empty object,
 * which is answered as a plain 200. Every `InvalidRange` it throws carries `objectSize`.
 */
export function resolveRange(spec: RangeSpec, size: number): ResolvedRange | undefined {
  if ('suffix' in spec) {
    if (spec.suffix <= 0) throw invalid('a suffix range must ask for at least one byte', size)
    if (size === 0) return undefined
    return { start: Math.max(0, size - spec.suffix), end: size - 1, size }
  }
  if (!Number.isSafeInteger(spec.start) || spec.start < 0) {
    throw invalid('range start must be a whole number', size)
  }
  if (spec.end !== undefined && (!Number.isSafeInteger(spec.end) || spec.end < spec.start)) {
    throw invalid('range end must be a whole number not before its start', size)
  }
  if (spec.start >= size)
    throw invalid(`range starts at ${spec.start}, past the object's ${size} bytes`, size)
  return { start: spec.start, end: Math.min(spec.end ?? size - 1, size - 1), size }
}

/** `Content-Range` value of a resolved range. */
export function contentRange(range: ResolvedRange): string {
  return `bytes ${range.start}-${range.end}/${range.size}`
}
