import { StorageError } from '@coffer/core'
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, type JWTVerifyOptions, jwtVerify } from 'jose'
import type { JwtConfig } from '../config.ts'
import { type Principal, parseScopes } from './scopes.ts'

/** Checks a JWT and returns who it speaks for; throws `MissingCredentials` (HTTP 401) when it is not valid. */
export type JwtVerifier = (token: string) => Promise<Principal>

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
 * Verifies short-lived JWTs signed by the application's backend: HS256 with a shared secret, or
 * asymmetric algorithms with keys from a JWKS URL. `exp` is required; the token's `scopes` claim
 * carries the same scopes as an API key, and `sub` names the caller in logs.
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
  const options: JWTVerifyOptions = { algorithms, requiredClaims: ['exp'] }
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
    let scopes: Principal['scopes']
    try {
      scopes = parseScopes(payload.scopes)
    } catch (error) {
      throw refused('its "scopes" claim is not valid', error)
    }
    return { kind: 'jwt', id: typeof payload.sub === 'string' ? payload.sub.slice(0, 200) : 'jwt', scopes }
  }
}
