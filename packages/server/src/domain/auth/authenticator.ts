import { StorageError } from '@coffer/core'
import type { ApiKeyStore } from './api-key-store.ts'
import { TOKEN_PREFIX } from './api-key-store.ts'
import type { JwtVerifier } from './jwt-verifier.ts'
import type { Principal } from './scopes.ts'

const BEARER = /^Bearer +([\x21-\x7e]+) *$/i
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/

function refused(why: string): StorageError {
  return new StorageError('MissingCredentials', why)
}

/**
 * Turns an `Authorization: Bearer <token>` header into a principal: an API key (looked up by
 * its hash) or a JWT. Deny by default: anything else is refused with `MissingCredentials` (HTTP 401).
 */
export class Authenticator {
  readonly #keys: ApiKeyStore
  readonly #jwt: JwtVerifier | undefined

  constructor(keys: ApiKeyStore, jwt: JwtVerifier | undefined) {
    this.#keys = keys
    this.#jwt = jwt
  }

  /** The principal of a request, or undefined when it carries no Authorization header at all. */
  async identify(authorization: string | undefined): Promise<Principal | undefined> {
    if (authorization === undefined) return undefined
    const token = BEARER.exec(authorization)?.[1]
    if (token === undefined) throw refused('the Authorization header must be "Bearer <token>"')
    if (this.#jwt !== undefined && JWT_SHAPE.test(token) && !token.startsWith(TOKEN_PREFIX))
      return this.#jwt(token)
    // Generated keys start with `cfr_`; an operator's COFFER_ADMIN_KEY may be any long token.
    const key = await this.#keys.findActive(token)
    if (!key) throw refused('the API key is not valid, revoked or expired')
    const principal: Principal = { kind: 'key', id: key.id, scopes: key.scopes }
    if (key.expiresAt !== undefined) principal.expiresAt = Date.parse(key.expiresAt)
    return principal
  }

  /** The principal of a request; throws `MissingCredentials` when it has none. */
  async require(authorization: string | undefined): Promise<Principal> {
    const principal = await this.identify(authorization)
    if (!principal) throw refused('this needs an Authorization: Bearer <token> header')
    return principal
  }
}
