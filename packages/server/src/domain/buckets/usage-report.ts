import type { DailyUsage, Traffic, UsageRecorder } from '../../catalog/usage.ts'
import type { Bucket } from './bucket-store.ts'

/** What a bucket holds now, and its quotas. */
export interface Stored {
  bytes: number
  objects: number
  quotaBytes?: number
  quotaObjects?: number
}

/** The first day of a period of `days` days that ends today (UTC). */
function since(days: number): string {
  return new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10)
}

/** Sums traffic rows by a field of theirs, in the order the field's values first appear. */
function sumBy<K extends 'day' | 'owner' | 'bucket'>(rows: DailyUsage[], field: K) {
  const sums = new Map<string, Traffic>()
  for (const row of rows) {
    const sum = sums.get(row[field]) ?? { bytesIn: 0, bytesOut: 0, requests: 0 }
    sum.bytesIn += row.bytesIn
    sum.bytesOut += row.bytesOut
    sum.requests += row.requests
    sums.set(row[field], sum)
  }
  return [...sums].map(([value, sum]) => ({ [field]: value, ...sum }) as { [F in K]: string } & Traffic)
}

function stored(bucket: Bucket): Stored {
  const json: Stored = { bytes: bucket.usedBytes, objects: bucket.usedObjects }
  if (bucket.quotaBytes !== undefined) json.quotaBytes = bucket.quotaBytes
  if (bucket.quotaObjects !== undefined) json.quotaObjects = bucket.quotaObjects
  return json
}

/** A bucket's usage over the last `days` days: stored now, and traffic per day and per key owner. */
export async function bucketUsage(usage: UsageRecorder, bucket: Bucket, days: number) {
  const rows = await usage.daily({ bucket: bucket.name, since: since(days) })
  return { bucket: bucket.name, ...stored(bucket), days: sumBy(rows, 'day'), owners: sumBy(rows, 'owner') }
}

/** Every bucket's usage over the last `days` days, and the service's totals. */
export async function serviceUsage(usage: UsageRecorder, buckets: readonly Bucket[], days: number) {
  const rows = await usage.daily({ since: since(days) })
  const traffic = new Map(sumBy(rows, 'bucket').map((sum) => [sum.bucket, sum]))
  return {
    bytes: buckets.reduce((sum, b) => sum + b.usedBytes, 0),
    objects: buckets.reduce((sum, b) => sum + b.usedObjects, 0),
    buckets: buckets.map((b) => ({
      bucket: b.name,
      ...stored(b),
      ...(traffic.get(b.name) ?? { bytesIn: 0, bytesOut: 0, requests: 0 }),
    })),
    days: sumBy(rows, 'day'),
    owners: sumBy(rows, 'owner'),
  }
}

/** Traffic of one series (a bucket, or the keys of one name) on one day. */
export type SeriesPoint = { day: string; series: string } & Traffic

/**
 * Traffic per day and series over the last `days` days, for charts: by bucket, or by what
 * `seriesOf` makes of each row's owner (the name of its API key, so that keys made again under one
 * name make one line). Days without traffic are left out.
 */
export async function usageSeries(
  usage: UsageRecorder,
  days: number,
  seriesOf: (row: DailyUsage) => string,
): Promise<SeriesPoint[]> {
  const sums = new Map<string, SeriesPoint>()
  for (const row of await usage.daily({ since: since(days) })) {
    const series = seriesOf(row)
    const id = `${row.day}\n${series}`
    const sum = sums.get(id) ?? { day: row.day, series, bytesIn: 0, bytesOut: 0, requests: 0 }
    sum.bytesIn += row.bytesIn
    sum.bytesOut += row.bytesOut
    sum.requests += row.requests
    sums.set(id, sum)
  }
  return [...sums.values()]
}
