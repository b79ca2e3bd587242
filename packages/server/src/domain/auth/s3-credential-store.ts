import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.ts'
import { Recent } from '../../support/recent.ts'
import type { ApiKey, ApiKeyStore } from './api-key-store.ts'

/** An S3 credential as its creator sees it, once: the secret is never shown again. */
export interface S3Credential {
  accessKeyId: string
  secretAccessKey: string
}

/** What an S3 access key id stands for: its secret and the API key whose scopes it carries. */
export interface S3Identity {
  secretAccessKey: string
  key: ApiKey
}

const ACCESS_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** `CFR` and 17 random base32 characters: 20 characters, the shape of an AWS access key id. */
function newAccessKeyId(): string {
  return `CFR${[...randomBytes(17)].map((byte) => ACCESS_KEY_ALPHABET[byte % 32]).join('')}`
}

/**
 * S3 credentials of API keys. SigV4 signs with a shared secret, so unlike a token the secret must
 * be kept, not hashed: it is sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the
 * service's signing secret, bound to its access key id, so the index alone gives nothing away. A
 * credential lives as long as its API key: the lookup goes through the key store, so a revoked or
 * expired key's credentials stop at once (in this process) or within the key cache's ttl (others).
 */
export class S3CredentialStore {
  readonly #db: Kysely<Database>
  readonly #keys: ApiKeyStore
  readonly #sealKey: Buffer
  /** Unsealed secrets and their key ids, by access key id; the key itself is checked on every use. */
  readonly #recent: Recent<{ secret: string; keyId: string }>

  constructor(
    db: Kysely<Database>,
    keys: ApiKeyStore,
    signingSecret: string,
    options: { cacheTtl?: number } = {},
  ) {
    this.#db = db
    this.#keys = keys
    this.#sealKey = Buffer.from(hkdfSync('sha256', signingSecret, '', 'coffer s3 credentials v1', 32))
    this.#recent = new Recent(options.cacheTtl)
  }

  /** Issues a credential for the API key `keyId`; the returned secret is the only copy shown. */
  async create(keyId: string): Promise<S3Credential> {
    const accessKeyId = newAccessKeyId()
    const secretAccessKey = randomBytes(30).toString('base64url')
    await this.#db
      .insertInto('s3_credentials')
      .values({
        access_key_id: accessKeyId,
        key_id: keyId,
        secret_sealed: this.#seal(accessKeyId, secretAccessKey),
        created_at: new Date().toISOString(),
      })
      .execute()
    return { accessKeyId, secretAccessKey }
  }

  /** The secret and API key of an access key id whose key is active, or undefined. */
  async find(accessKeyId: string): Promise<S3Identity | undefined> {
    const entry = await this.#recent.get(accessKeyId, async () => {
      const row = await this.#db
        .selectFrom('s3_credentials')
        .select(['key_id', 'secret_sealed'])
        .where('access_key_id', '=', accessKeyId)
        .executeTakeFirst()
      const secret = row && this.#unseal(accessKeyId, row.secret_sealed)
      return row && secret !== undefined ? { keyId: row.key_id, secret } : undefined
    })
    if (entry === undefined) return undefined
    const key = await this.#keys.findActiveById(entry.keyId)
    return key && { secretAccessKey: entry.secret, key }
  }

  #seal(accessKeyId: string, secret: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.#sealKey, iv).setAAD(Buffer.from(accessKeyId))
    const sealed = Buffer.concat([iv, cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()])
    return sealed.toString('base64url')
  }

  /**
   * The secret sealed in a row, or undefined when it does not open: sealed under another signing
   * secret (the service's was changed), so the credential is void, as a token whose key is gone.
   */
  #unseal(accessKeyId: string, sealed: string): string | undefined {
    const bytes = Buffer.from(sealed, 'base64url')
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#sealKey, bytes.subarray(0, 12))
      decipher.setAAD(Buffer.from(accessKeyId)).setAuthTag(bytes.subarray(-16))
      return Buffer.concat([decipher.update(bytes.subarray(12, -16)), decipher.final()]).toString('utf8')
    } catch {
      return undefined
    }
  }
}
