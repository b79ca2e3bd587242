import { useEffect, useState } from 'react'
import { bucketUsage, type CofferClient } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import type { Bucket, Usage } from '../api/types.ts'

/** A bucket's policy and usage, loaded again when `version` changes (uploads, deletes). */
export function useBucketInfo(
  client: CofferClient,
  bucket: string,
  version: number,
): { info?: Bucket | undefined; usage?: Usage | undefined; error?: string | undefined } {
  const [info, setInfo] = useState<Bucket | undefined>()
  const [usage, setUsage] = useState<Usage | undefined>()
  const [error, setError] = useState<string | undefined>()
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is a reload trigger
  useEffect(() => {
    let live = true
    client.buckets.get(bucket).then(
      (b) => live && setInfo(b),
      (e) => live && setError(messageOf(e)),
    )
    // The usage bar is extra: without a usage route (or the right to read it) there is none.
    bucketUsage(client, bucket).then(
      (u) => live && setUsage(u),
      () => undefined,
    )
    return () => {
      live = false
    }
  }, [client, bucket, version])
  return { info, usage, error }
}
