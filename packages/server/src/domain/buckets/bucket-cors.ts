import { Recent } from '../../support/recent.ts'
import type { BucketStore } from './bucket-store.ts'
import type { CorsRule } from './cors-rule.ts'

/**
 * The CORS rules of requests, from the buckets' policies and the service's default
 * (`COFFER_CORS_ORIGINS`): see `registerCors`, which applies them to a listener.
 */
export class BucketCors {
  readonly #buckets: BucketStore
  readonly #service: CorsRule | undefined
  /** Every origin some bucket or the service allows, read at most `cacheTtl` ms ago. */
  readonly #union: Recent<CorsRule>

  /** `origins`: the service's default (none allows no origin where a bucket has no rule). */
  constructor(buckets: BucketStore, origins: readonly string[], options: { cacheTtl?: number } = {}) {
    this.#buckets = buckets
    this.#service = origins.length === 0 ? undefined : { origins: [...origins] }
    this.#union = new Recent(options.cacheTtl)
  }

  /** A bucket's rule: its policy's, else the service's; the service's for a bucket that does not exist. */
  async forBucket(name: string): Promise<CorsRule | undefined> {
    const bucket = await this.#buckets.recent(name)
    return bucket?.cors ?? this.#service
  }

  /**
   * The rule of `/v1` paths that name no bucket (`/v1/uploads`, whose bucket is in a header a
   * preflight does not carry; `/v1/whoami`): an origin the service or any bucket allows. CORS does not
   * authorize: the request still needs a credential with a scope on what it touches.
   */
  async forService(): Promise<CorsRule | undefined> {
    return this.#union.get('union', async () => {
      const origins = new Set(this.#service?.origins)
      for (const bucket of await this.#buckets.list())
        for (const o of bucket.cors?.origins ?? []) origins.add(o)
      return origins.size === 0 ? undefined : { origins: [...origins] }
    })
  }
}
