import { createSecretKey, type KeyObject } from 'node:crypto'
import { getSigningKey } from '@smithy/signature-v4'
import { LRUCache } from 'lru-cache'
import { NodeSha256 } from './sigv4-crypto.ts'

/** Access keys whose signing keys are kept: those that signed lately. */
const KEPT = 1000

/**
 * SigV4 signing keys (per the S3 API reference, "Signature Calculations": four HMACs from the
 * secret, the day, the region and the service), derived by @smithy/signature-v4 once per access
 * key and day, and kept as `KeyObject`s: a small signed GET spent a fifth of its time deriving and
 * importing them (`npm run bench`, P3 through the S3 endpoint, with `--profile`). An entry is used
 * only with the very secret it was made from, so a credential whose secret changes never meets an
 * old key.
 */
export class SigningKeys {
  readonly #region: string
  readonly #keys = new LRUCache<string, { secret: string; key: KeyObject }>({ max: KEPT })

  constructor(region: string) {
    this.#region = region
  }

  /** The signing key of `accessKeyId` (whose secret is `secret`) for the day `shortDate` (YYYYMMDD). */
  async get(accessKeyId: string, secret: string, shortDate: string): Promise<KeyObject> {
    const id = `${accessKeyId}\n${shortDate}`
    const kept = this.#keys.get(id)
    if (kept !== undefined && kept.secret === secret) return kept.key
    const credentials = { accessKeyId, secretAccessKey: secret }
    const raw = await getSigningKey(NodeSha256, credentials, shortDate, this.#region, 's3')
    const key = createSecretKey(raw)
    this.#keys.set(id, { secret, key })
    return key
  }
}
