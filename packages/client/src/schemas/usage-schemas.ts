import { Type } from 'typebox'

const TrafficJson = {
  bytesIn: Type.Integer(),
  bytesOut: Type.Integer(),
  requests: Type.Integer(),
}
const Stored = {
  bytes: Type.Integer({ description: 'Bytes stored now' }),
  objects: Type.Integer({ description: 'Objects stored now' }),
  quotaBytes: Type.Optional(Type.Integer()),
  quotaObjects: Type.Optional(Type.Integer()),
}
const Days = Type.Array(Type.Object({ day: Type.String(), ...TrafficJson }), {
  description: 'Traffic per day',
})
const Owners = Type.Array(Type.Object({ owner: Type.String(), ...TrafficJson }), {
  description: 'Traffic per key owner over the period',
})

/** A bucket's usage: what it stores now, and its traffic per day and per key owner. */
export const BucketUsageJson = Type.Object({ bucket: Type.String(), ...Stored, days: Days, owners: Owners })

/** The whole service's usage (service admins): totals, each bucket, traffic per day and per owner. */
export const ServiceUsageJson = Type.Object({
  bytes: Type.Integer(),
  objects: Type.Integer(),
  buckets: Type.Array(Type.Object({ bucket: Type.String(), ...Stored, ...TrafficJson })),
  days: Days,
  owners: Owners,
})

/** Traffic per day and series (a bucket, or an API key's name), for charts. */
export const UsageSeriesJson = Type.Object({
  points: Type.Array(Type.Object({ day: Type.String(), series: Type.String(), ...TrafficJson })),
})
