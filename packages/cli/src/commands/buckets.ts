import type { Bucket, BucketPolicy, CofferClient } from '@coffer/client'
import { UsageError } from '../coffer-url.ts'
import { printJson, printTable } from '../output.ts'
import { formatBytes, parseDuration, parseSize } from '../units.ts'

/** Options of `buckets create` and `buckets update`: the policy fields given on the command line. */
export interface PolicyOptions {
  public?: boolean
  maxFileSize?: string
  allowedTypes?: string
  quotaBytes?: string
  quotaObjects?: string
  /** Comma-separated origins whose pages may call Coffer for the bucket, or `none`. */
  corsOrigins?: string
  /** Longest share link: a duration (`30d`), or `none` for the service's 7 days. */
  maxShare?: string
  json?: boolean
}

/** `coffer buckets ls [--json]`: the buckets this credential sees, with their policies. */
export async function bucketsLs(client: CofferClient, options: { json?: boolean }): Promise<void> {
  const buckets = await client.buckets.list()
  if (options.json) return printJson(buckets)
  printTable([
    ['NAME', 'ACCESS', 'MAX FILE', 'TYPES', 'QUOTA', 'CORS ORIGINS'],
    ...buckets.map((b) => [
      b.name,
      b.public ? 'public' : 'private',
      b.maxFileSize === undefined ? '-' : formatBytes(b.maxFileSize),
      b.allowedTypes?.join(',') ?? '*',
      quotaText(b),
      b.cors?.origins.join(',') ?? '-',
    ]),
  ])
}

function quotaText(bucket: Bucket): string {
  const parts = []
  if (bucket.quotaBytes !== undefined) parts.push(formatBytes(bucket.quotaBytes))
  if (bucket.quotaObjects !== undefined) parts.push(`${bucket.quotaObjects} objects`)
  return parts.join(', ') || '-'
}

/** `coffer buckets create NAME [policy]`: a new bucket (admin). */
export async function bucketsCreate(
  client: CofferClient,
  name: string,
  options: PolicyOptions,
): Promise<void> {
  const bucket = await client.buckets.create(name, policyOf(options, false) as BucketPolicy)
  report(bucket, 'created', options)
}

/** `coffer buckets update NAME [policy]`: changes the given fields; `none` clears a limit (admin). */
export async function bucketsUpdate(
  client: CofferClient,
  name: string,
  options: PolicyOptions,
): Promise<void> {
  const patch = policyOf(options, true)
  if (Object.keys(patch).length === 0)
    throw new UsageError('nothing to update: give at least one policy option')
  report(await client.buckets.update(name, patch), 'updated', options)
}

/** `coffer buckets rm NAME`: deletes an empty bucket (a bucket with objects: exit code 6). */
export async function bucketsRm(client: CofferClient, name: string): Promise<void> {
  await client.buckets.delete(name)
  process.stderr.write(`deleted bucket ${name}\n`)
}

function report(bucket: Bucket, verb: string, options: { json?: boolean }): void {
  if (options.json) printJson(bucket)
  else process.stderr.write(`${verb} bucket ${bucket.name}\n`)
}

/** Policy fields to set, or (null) to clear. */
type PolicyPatch = { [K in keyof BucketPolicy]?: BucketPolicy[K] | null }

/**
 * The policy fields given, as the API takes them. Sizes take units (`5MiB`); `none` clears a limit
 * (null), on update only. `quotaObjects` is sent only when given, for services that do not know it.
 */
function policyOf(options: PolicyOptions, clearable: boolean): PolicyPatch {
  const policy: PolicyPatch = {}
  const limit = <T>(text: string, parse: (t: string) => T): T | null => {
    if (text !== 'none') return parse(text)
    if (!clearable) throw new UsageError('"none" clears a limit with buckets update only')
    return null
  }
  if (options.public !== undefined) policy.public = options.public
  if (options.maxFileSize !== undefined) policy.maxFileSize = limit(options.maxFileSize, parseSize)
  if (options.quotaBytes !== undefined) policy.quotaBytes = limit(options.quotaBytes, parseSize)
  if (options.quotaObjects !== undefined) policy.quotaObjects = limit(options.quotaObjects, parseCount)
  if (options.allowedTypes !== undefined)
    policy.allowedTypes = limit(options.allowedTypes, (t) => t.split(','))
  if (options.corsOrigins !== undefined)
    policy.cors = limit(options.corsOrigins, (t) => ({ origins: t.split(',').map((o) => o.trim()) }))
  if (options.maxShare !== undefined) policy.maxShareSeconds = limit(options.maxShare, parseDuration)
  return policy
}

function parseCount(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`bad count: ${text}`)
  return Number(text)
}
