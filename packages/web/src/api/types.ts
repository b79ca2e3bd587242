import type { BucketPolicy, BucketUsage, ObjectHead } from '@coffer/client'

// The API's answers are typed by `@coffer/client`, from the schemas the server answers with (the
// ones the UI uses most are re-exported here); the rest is the UI's own: its sort and filter
// choices, and views of the answers it shows.
export type { Bucket, ObjectSummary, Scope, Whoami } from '@coffer/client'

export type SortField = 'name' | 'size' | 'modified'
export type SortOrder = 'asc' | 'desc'

/** The policy fields an admin sets; null clears a limit (PATCH). */
export type PolicyInput = { [K in keyof BucketPolicy]?: BucketPolicy[K] | null }

/** What a listing asks for; the filters are applied by the server when it knows them. */
export interface ListQuery {
  prefix: string
  delimiter?: string
  cursor?: string
  limit?: number
  sort?: SortField
  order?: SortOrder
  q?: string
  type?: string
}

/** What a bucket stores now, against its quotas: what the usage bars show. */
export type Usage = Pick<BucketUsage, 'bytes' | 'objects' | 'quotaBytes' | 'quotaObjects'>

/** Usage with the bucket's quotas where the usage route does not carry them. */
export function withQuotas(
  usage: Usage,
  bucket: { quotaBytes?: number; quotaObjects?: number } | undefined,
): Usage {
  const merged: Usage = { ...usage }
  const quotaBytes = usage.quotaBytes ?? bucket?.quotaBytes
  const quotaObjects = usage.quotaObjects ?? bucket?.quotaObjects
  if (quotaBytes !== undefined) merged.quotaBytes = quotaBytes
  if (quotaObjects !== undefined) merged.quotaObjects = quotaObjects
  return merged
}

/** What the details panel and previews know of an object: its HEAD, and its key. */
export type ObjectDetails = ObjectHead & { key: string }
