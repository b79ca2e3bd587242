// The method names are part of the API's contract, declared with its schemas.
import { CORS_METHODS } from '@coffer/client/schemas'
import { StorageError } from '@coffer/core'
import { parseOrigin } from '../../config/origins.ts'

export { parseOrigin, parseOriginList } from '../../config/origins.ts'

/** The methods a CORS rule may allow: what browsers send to Coffer's two origins. */
export { CORS_METHODS }
/** One of `CORS_METHODS`. */
export type CorsMethod = (typeof CORS_METHODS)[number]

/**
 * Which pages on other origins may call Coffer from a browser, as S3's bucket CORS rules and
 * Supabase's allowed origins: a bucket's policy may hold one, `COFFER_CORS_ORIGINS` is the service's.
 * Nothing is allowed without one. Requests carry bearer tokens or signatures, never cookies, so no
 * answer allows credentials.
 */
export interface CorsRule {
  /** Origins allowed (`https://app.example.com`, scheme, host and port only), or `*` for any. */
  origins: string[]
  /** Methods allowed; by default every method the path answers (`CORS_METHODS`). */
  methods?: CorsMethod[]
  /** Request headers allowed (lower case); by default whatever a preflight asks for. */
  headers?: string[]
  /** Seconds a browser may keep a preflight's answer; default 600 (browsers cap it: Chromium at 7200). */
  maxAge?: number
}

/** What a preflight answer is kept for when a rule does not say. */
export const DEFAULT_MAX_AGE = 600
const MAX_ORIGINS = 100
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/

function invalid(message: string): never {
  throw new StorageError('InvalidArgument', message)
}

/** Checks a rule from a policy change (the schema has checked its shape) and returns it canonical. */
export function checkCorsRule(rule: CorsRule): CorsRule {
  if (rule.origins.length > MAX_ORIGINS) invalid(`a CORS rule lists at most ${MAX_ORIGINS} origins`)
  const checked: CorsRule = { origins: [...new Set(rule.origins.map(parseOrigin))] }
  if (rule.methods !== undefined) {
    const methods = rule.methods.map((m) => m.toUpperCase())
    for (const m of methods)
      if (!(CORS_METHODS as readonly string[]).includes(m))
        invalid(`CORS methods are ${CORS_METHODS.join(', ')}`)
    checked.methods = [...new Set(methods)] as CorsMethod[]
  }
  if (rule.headers !== undefined) {
    const headers = rule.headers.map((h) => h.trim().toLowerCase())
    for (const h of headers) if (!TOKEN.test(h)) invalid(`"${h.slice(0, 100)}" is not a header name`)
    checked.headers = [...new Set(headers)]
  }
  if (rule.maxAge !== undefined) checked.maxAge = rule.maxAge
  return checked
}

/** A stored rule (JSON text); an unreadable one allows nothing rather than failing every request. */
export function corsRuleOf(text: string | null): CorsRule | undefined {
  if (text === null) return undefined
  try {
    return checkCorsRule(JSON.parse(text) as CorsRule)
  } catch {
    return { origins: [] }
  }
}

/** Whether the rule lets a page on `origin` call. */
export function allowsOrigin(rule: CorsRule | undefined, origin: string): boolean {
  return rule !== undefined && (rule.origins.includes('*') || rule.origins.includes(origin))
}
