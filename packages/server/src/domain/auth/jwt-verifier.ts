import { hash } from 'node:crypto'
import { StorageError } from '@coffer/core'
import {
  createRemoteJWKSet,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose'
import type { JwtConfig } from '../../config/config.ts'
import { type Principal, parseScopes } from './scopes.ts'

/** Checks a JWT and returns who it speaks for; throws `MissingCredentials` (HTTP 401) when it is not valid. */
export type JwtVerifier = (token: string) => Promise<Principal>

/** `COFFER_JWT_MAX_SECONDS`'s default: a token may claim to live one day at most. */
export const DEFAULT_JWT_MAX_SECONDS = 86_400
/** How far a token's `iat` may be ahead of this clock (seconds): clocks drift a little. */
const CLOCK_SKEW = 60
/** Longer owner ids are hashed: they reach the index, the audit trail and logs. */
const MAX_ID_LENGTH = 256

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']

function refused(why: string, cause?: unknown): StorageError {
  return new StorageError('MissingCredentials', `the bearer token was refused: ${why}`, { cause })
}

/** Why jose refused a token, in words safe to show the caller (never the token or the key). */
function reason(error: unknown): StorageError {
  if (error instanceof errors.JWTExpired) return refused('it has expired', error)
  if (error instanceof errors.JWTClaimValidationFailed)
    return refused(`its "${error.claim}" claim is not valid`, error)
  // A JWKS that cannot be fetched is the service's problem, not the caller's: fetch fails with TypeError.
  if (error instanceof errors.JWKSTimeout || (error instanceof Error && error.name === 'TypeError')) {
    return new StorageError('Unavailable', 'the JSON Web Key Set could not be fetched', { cause: error })
  }
  return refused('its signature or format is not valid', error)
}

/**
 * Checks what jose does not: a token is short-lived (its `exp` at most `maxSeconds` after its `iat`,
 * or after now when it has none), it was not issued in the future, and it names its subject.
 */
function checkClaims(payload: JWTPayload, maxSeconds: number): { sub: string; exp: number } {
  const now = Math.floor(Date.now() / 1000)
  const exp = payload.exp as number // required by jwtVerify
  if (payload.iat !== undefined && payload.iat > now + CLOCK_SKEW)
    throw refused('it was issued in the future')
  if (exp - (payload.iat ?? now) > maxSeconds) {
    throw refused(`it lives longer than ${maxSeconds} s (COFFER_JWT_MAX_SECONDS)`)
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') throw refused('it has no "sub" claim')
  return { sub: payload.sub, exp }
}

/**
 * Who a token speaks for: its issuer and subject, so that two issuers' users never share an owner.
 * The issuer is percent-encoded (no `/` in it), so the first `/` splits the two unambiguously. Ids
 * longer than 256 characters are replaced by their hash rather than cut, which could merge owners.
 */
export function jwtOwner(iss: string | undefined, sub: string): string {
  const id = `${encodeURIComponent(iss ?? '')}/${sub}`
  return id.length <= MAX_ID_LENGTH ? id : `sha256.${hash('sha256', id, 'base64url')}`
}

/**
 * Verifies short-lived JWTs signed by the application's backend: HS256 with a shared secret, or
 * asymmetric algorithms with keys from a JWKS URL. `exp` and `sub` are required, and a lifetime
 * over `maxSeconds` (default 1 day) is refused; the token's `scopes` claim carries the same scopes as
 * an API key, and `iss` + `sub` name the caller (the owner of what it writes).
 */
export function createJwtVerifier(config: JwtConfig): JwtVerifier | undefined {
  let key: Uint8Array | JWTVerifyGetKey
  let algorithms: string[]
  if (config.secret !== undefined) {
    key = new TextEncoder().encode(config.secret)
    algorithms = ['HS256']
  } else if (config.jwksUrl !== undefined) {
    key = createRemoteJWKSet(new URL(config.jwksUrl))
    algorithms = ASYMMETRIC
  } else {
    return undefined
  }
  const options: JWTVerifyOptions = { algorithms, requiredClaims: ['exp', 'sub'] }
  const maxSeconds = config.maxSeconds ?? DEFAULT_JWT_MAX_SECONDS
  if (config.issuer !== undefined) options.issuer = config.issuer
  if (config.audience !== undefined) options.audience = config.audience

  return async (token: string): Promise<Principal> => {
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload']
    try {
      // Two calls because jose's overloads take a key or a key getter, not their union.
      const result =
        key instanceof Uint8Array
          ? await jwtVerify(token, key, options)
          : await jwtVerify(token, key, options)
      payload = result.payload
    } catch (error) {
      throw reason(error)
    }
    const { sub, exp } = checkClaims(payload, maxSeconds)
    let scopes: Principal['scopes']
    try {
      scopes = parseScopes(payload.scopes)
    } catch (error) {
      throw refused('its "scopes" claim is not valid', error)
    }
    return { kind: 'jwt', id: jwtOwner(payload.iss, sub), scopes, expiresAt: exp * 1000 }
  }
}
