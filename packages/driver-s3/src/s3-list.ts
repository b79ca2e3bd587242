import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import type { ObjectSummary } from '@coffer/core'
import type { ListHint, ListStart } from '@coffer/core/driver'
import { STAGING_PREFIX } from './s3-staging.ts'

/** The greatest code point: "P" + this sorts after every key that starts with "P" (but P + itself). */
const AFTER_ALL = '\u{10FFFF}'

/**
 * Keys in S3's order from a start position. Pages come from ListObjectsV2 with continuation tokens;
 * when the paginator folds a folder into a common prefix and the page ends inside that folder, the
 * listing jumps past it with `StartAfter` instead of reading every key below it. The objects of staged
 * multipart uploads (`STAGING_PREFIX`) are never listed, and jumped past the same way.
 */
export async function* listKeys(
  client: S3Client,
  bucket: string,
  start: ListStart,
  hint: ListHint,
  signal?: AbortSignal,
): AsyncIterable<ObjectSummary> {
  const skipping = start.afterIsPrefix === true && start.after !== undefined ? start.after : undefined
  let startAfter = skipping === undefined ? start.after : skipping + AFTER_ALL
  const hidden = STAGING_PREFIX.startsWith(start.prefix) ? STAGING_PREFIX : undefined
  let token: string | undefined
  for (;;) {
    const input = {
      Bucket: bucket,
      Prefix: start.prefix,
      MaxKeys: 1000,
      ...(token ? { ContinuationToken: token } : startAfter !== undefined ? { StartAfter: startAfter } : {}),
    }
    const page = await client.send(new ListObjectsV2Command(input), signal ? { abortSignal: signal } : {})
    let lastKey: string | undefined
    for (const object of page.Contents ?? []) {
      const key = object.Key ?? ''
      lastKey = key
      if (skipping !== undefined && key.startsWith(skipping)) continue
      if (hidden !== undefined && key.startsWith(hidden)) continue
      if (hint.skipPrefix !== undefined && key.startsWith(hint.skipPrefix)) continue
      yield {
        key,
        size: object.Size ?? 0,
        etag: object.ETag ?? '',
        lastModified: object.LastModified ?? new Date(0),
      }
    }
    if (!page.IsTruncated) return
    const past = [hint.skipPrefix, hidden].find((p) => p !== undefined && lastKey?.startsWith(p))
    if (past !== undefined) {
      token = undefined
      startAfter = past + AFTER_ALL
    } else {
      token = page.NextContinuationToken
      if (token === undefined) return
    }
  }
}
