import { S3Error } from './s3-error.ts'

/** A request's path and query as the client sent them, and the query decoded. */
export interface RequestTarget {
  /** The path exactly as sent, still percent-encoded, always starting with `/`. */
  readonly rawPath: string
  /** Decoded query parameters in the order sent; a name without `=` has the value `''`. */
  readonly pairs: ReadonlyArray<readonly [string, string]>
  /** The first value of each decoded query parameter, for lookups. */
  readonly query: ReadonlyMap<string, string>
}

/** Above this many query parameters a request is refused rather than canonicalised. */
const MAX_QUERY_PAIRS = 200

function decode(text: string): string {
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch (error) {
    throw new S3Error('InvalidArgument', 'the URL has a malformed percent-encoding', { cause: error })
  }
}

/**
 * Splits a request target (`req.url`: origin-form path and query) without normalising it: SigV4
 * signs the path the client meant, so the verifier sees it before any router rewrites it. A `+` is
 * a plus sign here, not a space: SigV4 clients send a space as `%20`.
 */
export function parseRequestTarget(url: string): RequestTarget {
  if (!url.startsWith('/')) throw new S3Error('InvalidRequest', 'the request target must be an absolute path')
  const question = url.indexOf('?')
  const rawPath = question < 0 ? url : url.slice(0, question)
  const search = question < 0 ? '' : url.slice(question + 1)
  const pairs: Array<readonly [string, string]> = []
  const query = new Map<string, string>()
  for (const part of search === '' ? [] : search.split('&')) {
    if (part === '') continue
    if (pairs.length === MAX_QUERY_PAIRS)
      throw new S3Error('InvalidArgument', 'the query string has too many parameters')
    const equals = part.indexOf('=')
    const name = decode(equals < 0 ? part : part.slice(0, equals))
    const value = equals < 0 ? '' : decode(part.slice(equals + 1))
    pairs.push([name, value])
    if (!query.has(name)) query.set(name, value)
  }
  return { rawPath, pairs, query }
}

/** Text SigV4's URI encoding leaves as it is: the unreserved characters. */
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/
/** The same, with the path separator. */
const UNRESERVED_PATH = /^[A-Za-z0-9\-._~/]*$/

/** SigV4's URI encoding: everything but the unreserved characters, in uppercase `%XX`. */
export function uriEncode(text: string): string {
  if (UNRESERVED.test(text)) return text
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/**
 * The canonical URIs worth trying for a path, best first: the path decoded and encoded again by
 * SigV4's rule (what conforming clients sign, however they escaped the wire form), then the path
 * exactly as sent (what clients that sign their wire form sign).
 */
export function canonicalPaths(rawPath: string): string[] {
  if (UNRESERVED_PATH.test(rawPath)) return [rawPath]
  let normalised: string
  try {
    normalised = rawPath
      .split('/')
      .map((segment) => uriEncode(decodeURIComponent(segment)))
      .join('/')
  } catch {
    return [rawPath]
  }
  return normalised === rawPath ? [rawPath] : [normalised, rawPath]
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

/** Reads an ISO 8601 basic timestamp (`20130524T000000Z`); undefined when it is not one. */
export function parseAmzDate(text: string): Date | undefined {
  const match = AMZ_DATE.exec(text)
  if (match === null) return undefined
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as number[]
  const date = new Date(Date.UTC(year as number, (month as number) - 1, day, hour, minute, second))
  // Date.UTC rolls 20130231 over into March and 24:00 into the next day: a date whose fields do
  // not come back as they were given is not a date.
  const same =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === (month as number) - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second
  return same ? date : undefined
}
