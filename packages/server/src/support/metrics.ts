import type { Kysely } from 'kysely'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { Database } from '../db/schema.ts'

/**
 * The service's Prometheus metrics (`GET /metrics`), in a registry of its own per app: requests by
 * route and status, their latency, bytes in and out per bucket, uploads in flight, quota refusals,
 * site answers compressed from the cache or afresh,
 * and each bucket's bytes and objects as the index counts them (read at scrape time).
 */
export class Metrics {
  readonly registry = new Registry()
  readonly requests: Counter<'method' | 'route' | 'status'>
  readonly latency: Histogram<'method' | 'route' | 'status'>
  readonly bytesIn: Counter<'bucket'>
  readonly bytesOut: Counter<'bucket'>
  readonly uploadsInFlight: Gauge
  readonly quotaRefusals: Counter<'bucket'>
  readonly siteCompression: Counter<'coding' | 'result'>

  constructor(db: Kysely<Database>) {
    const registers = [this.registry]
    collectDefaultMetrics({ register: this.registry })
    this.requests = new Counter({
      name: 'coffer_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    })
    this.latency = new Histogram({
      name: 'coffer_http_request_duration_seconds',
      help: 'Time from request to the end of the response',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    })
    this.bytesIn = new Counter({
      name: 'coffer_bytes_in_total',
      help: 'Object bytes stored, by bucket',
      labelNames: ['bucket'],
      registers,
    })
    this.bytesOut = new Counter({
      name: 'coffer_bytes_out_total',
      help: 'Object bytes served, by bucket',
      labelNames: ['bucket'],
      registers,
    })
    this.uploadsInFlight = new Gauge({
      name: 'coffer_uploads_in_flight',
      help: 'Uploads whose bytes are streaming to the storage',
      registers,
    })
    this.quotaRefusals = new Counter({
      name: 'coffer_quota_refusals_total',
      help: 'Writes refused because the bucket quota had no room',
      labelNames: ['bucket'],
      registers,
    })
    this.siteCompression = new Counter({
      name: 'coffer_site_compression_total',
      help: 'Compressed site answers: served from the cache of compressed files (hit) or compressed as sent (miss)',
      labelNames: ['coding', 'result'],
      registers,
    })
    // Both bucket gauges are collected at once on a scrape: they share one query.
    let reading: ReturnType<typeof read> | undefined
    const read = () => db.selectFrom('buckets').select(['name', 'used_bytes', 'used_objects']).execute()
    const counts = () => {
      reading ??= read().finally(() => {
        reading = undefined
      })
      return reading
    }
    new Gauge({
      name: 'coffer_bucket_bytes',
      help: 'Bytes each bucket holds, as the index counts them',
      labelNames: ['bucket'],
      registers,
      async collect() {
        const rows = await counts()
        this.reset()
        for (const row of rows) this.set({ bucket: row.name }, Number(row.used_bytes))
      },
    })
    new Gauge({
      name: 'coffer_bucket_objects',
      help: 'Objects each bucket holds, as the index counts them',
      labelNames: ['bucket'],
      registers,
      async collect() {
        const rows = await counts()
        this.reset()
        for (const row of rows) this.set({ bucket: row.name }, Number(row.used_objects))
      },
    })
  }
  /**
   * Gauges of the image render queue, read at scrape time: renders running and waiting. Past the
   * queue's limit renders are refused with 503, so these tell an operator how close that is.
   */
  watchRenders(load: () => { running: number; queued: number }): void {
    const registers = [this.registry]
    new Gauge({
      name: 'coffer_image_renders_running',
      help: 'Image renders, probes and strips holding a slot now',
      registers,
      collect() {
        this.set(load().running)
      },
    })
    new Gauge({
      name: 'coffer_image_renders_queued',
      help: 'Image renders waiting for a slot now (COFFER_IMAGE_QUEUE at most)',
      registers,
      collect() {
        this.set(load().queued)
      },
    })
  }
}
