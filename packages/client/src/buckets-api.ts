import type { Bucket, CorsRule } from './api-types.ts'
import type { CallOptions, HttpTransport } from './http-transport.ts'
import { bucketPath } from './key-path.ts'

/** A bucket's policy, as the create and update calls take it (every field optional). */
export interface BucketPolicy {
  /** Anyone may read the objects (through the content origin). */
  public?: boolean
  /** Largest object, in bytes. */
  maxFileSize?: number
  /** Allowed content types, with wildcards (`image/*`). */
  allowedTypes?: string[]
  quotaBytes?: number
  quotaObjects?: number
  /** Renders anonymous callers may ask for. */
  renders?: 'any' | 'variants' | 'none'
  /** Named renders (`thumb: 'w=64,h=64'`). */
  variants?: Record<string, string>
  stripMetadata?: boolean
  allowSvg?: boolean
  cors?: CorsRule
  /** Longest a share link may last, in seconds (900 to 366 days; 7 days when absent). */
  maxShareSeconds?: number
}

/** Buckets: Coffer's namespaces, each with a policy. */
export class BucketsApi {
  readonly #transport: HttpTransport
  constructor(transport: HttpTransport) {
    this.#transport = transport
  }

  /** The buckets the credential may see. */
  async list(options: CallOptions = {}): Promise<Bucket[]> {
    const { buckets } = await this.#transport.json<{ buckets: Bucket[] }>({ path: '/v1/buckets', ...options })
    return buckets
  }

  /** A bucket and its policy; throws `NotFound`. */
  get(name: string, options: CallOptions = {}): Promise<Bucket> {
    return this.#transport.json({ path: bucketPath(name), ...options })
  }

  /** Creates a bucket (service admins); throws `AlreadyExists`. */
  create(name: string, policy: BucketPolicy = {}, options: CallOptions = {}): Promise<Bucket> {
    return this.#transport.json({
      method: 'POST',
      path: '/v1/buckets',
      json: { name, ...policy },
      ...options,
    })
  }

  /** Changes some fields of a bucket's policy (`null` removes a limit). */
  update(
    name: string,
    patch: { [K in keyof BucketPolicy]?: BucketPolicy[K] | null },
    options: CallOptions = {},
  ): Promise<Bucket> {
    return this.#transport.json({ method: 'PATCH', path: bucketPath(name), json: patch, ...options })
  }

  /** Deletes an empty bucket; throws `Conflict` when it holds objects. */
  async delete(name: string, options: CallOptions = {}): Promise<void> {
    await this.#transport.send({ method: 'DELETE', path: bucketPath(name), ...options })
  }
}
