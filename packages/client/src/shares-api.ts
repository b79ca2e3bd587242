import type { Share } from './api-types.ts'
import type { CallOptions, HttpTransport } from './http-transport.ts'
import { bucketPath } from './key-path.ts'

/** Share links: made for one object, listed, revoked (the link dies at once). */
export class SharesApi {
  readonly #transport: HttpTransport
  constructor(transport: HttpTransport) {
    this.#transport = transport
  }

  /**
   * A share link for `key` (needs sign and read on it): `expiresIn` seconds, from 15 minutes to the
   * bucket's longest (7 days unless its policy says more); `maxDownloads` whole downloads at most.
   */
  create(
    bucket: string,
    input: { key: string; expiresIn?: number; maxDownloads?: number },
    options: CallOptions = {},
  ): Promise<Share> {
    return this.#transport.json({
      method: 'POST',
      path: `${bucketPath(bucket)}/shares`,
      json: input,
      ...options,
    })
  }

  /** The live share links of a bucket (of one key with `key`) that this credential manages. */
  async list(bucket: string, filter: { key?: string } = {}, options: CallOptions = {}): Promise<Share[]> {
    const query = filter.key === undefined ? '' : `?key=${encodeURIComponent(filter.key)}`
    const { shares } = await this.#transport.json<{ shares: Share[] }>({
      path: `${bucketPath(bucket)}/shares${query}`,
      ...options,
    })
    return shares
  }

  /** Every bucket's live share links, those made by keys named `name` when given (service admins). */
  async listAll(filter: { name?: string } = {}, options: CallOptions = {}): Promise<Share[]> {
    const query = filter.name === undefined ? '' : `?name=${encodeURIComponent(filter.name)}`
    const { shares } = await this.#transport.json<{ shares: Share[] }>({
      path: `/v1/shares${query}`,
      ...options,
    })
    return shares
  }

  /** Revokes a share link: it stops working at once. */
  async revoke(bucket: string, id: string, options: CallOptions = {}): Promise<void> {
    const path = `${bucketPath(bucket)}/shares/${encodeURIComponent(id)}`
    await this.#transport.send({ method: 'DELETE', path, ...options })
  }
}
