import type { AuditEvent, AuditPage, BucketUsage, ServiceUsage, UsagePoint, Whoami } from './api-types.ts'
import { BucketsApi } from './buckets-api.ts'
import { CofferError } from './coffer-error.ts'
import { ExportsApi } from './exports-api.ts'
import { type CallOptions, HttpTransport, type TransportOptions } from './http-transport.ts'
import { bucketPath } from './key-path.ts'
import { KeysApi } from './keys-api.ts'
import { ObjectsApi } from './objects-api.ts'
import { SharesApi } from './shares-api.ts'
import { SitesApi } from './sites-api.ts'

/** Which audit events to read (each filter exact), from where, and how many per page (default 100). */
export interface AuditFilter extends CallOptions {
  bucket?: string | undefined
  key?: string | undefined
  actor?: string | undefined
  action?: string | undefined
  cursor?: string | undefined
  limit?: number | undefined
}

/** Where the service is, who the caller is, and the defaults of its calls. */
export interface CofferClientOptions extends TransportOptions {
  /**
   * The content origin (`http://localhost:7374` on the embedded default), where public files and
   * renders are served: needed by `objects.renderUrl` and `objects.publicUrl` only.
   */
  contentUrl?: string | undefined
}

/**
 * One typed client for Coffer's REST API, for Node ≥ 22 and browsers. Every call takes an
 * `AbortSignal` and a `timeout`, and every failure is a `CofferError` whose `code` is one of the
 * core's error codes.
 *
 * ```ts
 * const coffer = new CofferClient({ url: 'http://localhost:7373', token: process.env.COFFER_KEY })
 * await coffer.objects.upload('documents', 'projects/42/brief.pdf', file, { onProgress })
 * for await (const object of coffer.objects.list('documents', { prefix: 'projects/42/' })) …
 * ```
 */
export class CofferClient {
  /** The requests under every call, for what the typed calls do not cover. */
  readonly transport: HttpTransport
  readonly buckets: BucketsApi
  readonly objects: ObjectsApi
  readonly sites: SitesApi
  readonly exports: ExportsApi
  readonly keys: KeysApi
  readonly shares: SharesApi

  constructor(options: CofferClientOptions) {
    this.transport = new HttpTransport(options)
    const contentUrl = () => {
      if (options.contentUrl === undefined)
        throw new CofferError(
          'InvalidArgument',
          0,
          'the client has no contentUrl: give it to make public and render URLs',
        )
      return options.contentUrl.replace(/\/+$/, '')
    }
    this.buckets = new BucketsApi(this.transport)
    this.objects = new ObjectsApi(this.transport, contentUrl)
    this.sites = new SitesApi(this.transport)
    this.exports = new ExportsApi(this.transport)
    this.keys = new KeysApi(this.transport)
    this.shares = new SharesApi(this.transport)
  }

  /** The API origin, without a trailing slash. */
  get url(): string {
    return this.transport.base
  }

  /** Who the credential is: its name, scopes and expiry. */
  whoami(options: CallOptions = {}): Promise<Whoami> {
    return this.transport.json({ path: '/v1/whoami', ...options })
  }

  /**
   * The audit trail (service admins), newest first, filtered by bucket, key, actor or action: every
   * event, pages followed as the loop reaches them.
   */
  async *audit(filter: AuditFilter = {}): AsyncGenerator<AuditEvent> {
    let cursor = filter.cursor
    do {
      const page = await this.auditPage({ ...filter, cursor })
      yield* page.events
      cursor = page.cursor
    } while (cursor !== undefined)
  }

  /**
   * One page of the audit trail (service admins), newest first, and the `cursor` of the next when
   * older events follow: for a UI that shows a page at a time. Empty filters do not filter.
   */
  auditPage(filter: AuditFilter = {}): Promise<AuditPage> {
    const { signal, timeout, ...query } = filter
    for (const [name, value] of Object.entries(query))
      if (value === '') delete query[name as keyof typeof query]
    return this.transport.json({ path: '/v1/audit', query, signal, timeout })
  }

  /** Traffic per day by bucket or by API key name over the last `days` (service admins), for charts. */
  async usageSeries(
    by: 'bucket' | 'name',
    options: CallOptions & { days?: number } = {},
  ): Promise<UsagePoint[]> {
    const { days, ...call } = options
    const { points } = await this.transport.json<{ points: UsagePoint[] }>({
      path: '/v1/usage/series',
      query: { by, days },
      ...call,
    })
    return points
  }

  /**
   * Runs the index's reconcile job once (service admins), for one bucket or all, and answers its
   * report: what the index gained, lost or corrected to match the store.
   */
  reconcile(bucket?: string, options: CallOptions = {}): Promise<Record<string, unknown>> {
    const json = bucket === undefined ? {} : { bucket }
    return this.transport.json({ method: 'POST', path: '/v1/reconcile', json, ...options })
  }

  /** A bucket's usage (stored now, traffic per day and per owner) over `days` (default 30). */
  usage(bucket: string, options?: CallOptions & { days?: number }): Promise<BucketUsage>
  /** The whole service's usage (service admins). */
  usage(bucket?: undefined, options?: CallOptions & { days?: number }): Promise<ServiceUsage>
  usage(bucket?: string, options: CallOptions & { days?: number } = {}): Promise<BucketUsage | ServiceUsage> {
    const { days, ...call } = options
    const path = bucket === undefined ? '/v1/usage' : `${bucketPath(bucket)}/usage`
    return this.transport.json({ path, query: { days }, ...call })
  }
}
