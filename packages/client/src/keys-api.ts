import type { ApiKey, CreatedKey, Scope } from './api-types.ts'
import type { CallOptions, HttpTransport } from './http-transport.ts'

/** API keys, for service admins: create (the token is in that answer only), list, revoke. */
export class KeysApi {
  readonly #transport: HttpTransport
  constructor(transport: HttpTransport) {
    this.#transport = transport
  }

  /** Every key (never their tokens). */
  async list(options: CallOptions = {}): Promise<ApiKey[]> {
    const { keys } = await this.#transport.json<{ keys: ApiKey[] }>({ path: '/v1/keys', ...options })
    return keys
  }

  /** Creates a key with these scopes; `s3` also issues S3 credentials. */
  create(
    input: { name: string; scopes: Scope[]; expiresAt?: string; s3?: boolean },
    options: CallOptions = {},
  ): Promise<CreatedKey> {
    return this.#transport.json({ method: 'POST', path: '/v1/keys', json: input, ...options })
  }

  /** Revokes a key at once. */
  async revoke(id: string, options: CallOptions = {}): Promise<void> {
    await this.#transport.send({ method: 'DELETE', path: `/v1/keys/${encodeURIComponent(id)}`, ...options })
  }
}
