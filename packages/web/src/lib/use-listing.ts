import { useEffect, useState } from 'react'
import { messageOf } from '../api/api-error.ts'
import type { CofferClient } from '../api/coffer-client.ts'
import type { ObjectSummary } from '../api/types.ts'
import type { ViewOptions } from './listing.ts'

/** A folder's listing as it loads: page after page, until the server has no more. */
export interface Listing {
  objects: ObjectSummary[]
  prefixes: string[]
  complete: boolean
  error?: string
}

const EMPTY: Listing = { objects: [], prefixes: [], complete: false }

/**
 * Loads every page of a folder (1000 keys each) and shows each as it comes, so the first rows appear
 * at once and 10,000 objects take ten requests. Loads again when the folder, the server-side view
 * (sort, order, search, type) or `version` changes; a stale load is aborted.
 */
export function useListing(
  client: CofferClient,
  bucket: string,
  prefix: string,
  view: ViewOptions,
  version: number,
): Listing {
  const [listing, setListing] = useState<Listing>(EMPTY)
  const { sort, order, q, type } = view
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is a reload trigger
  useEffect(() => {
    const controller = new AbortController()
    const objects: ObjectSummary[] = []
    const prefixes: string[] = []
    setListing((current) => ({ ...current, complete: false }))
    const load = async () => {
      let cursor: string | undefined
      do {
        const query = { prefix, delimiter: '/', sort, order, q, type, ...(cursor ? { cursor } : {}) }
        const page = await client.list(bucket, query, controller.signal)
        objects.push(...page.objects)
        prefixes.push(...page.prefixes)
        cursor = page.cursor
        if (!controller.signal.aborted) {
          setListing({ objects: [...objects], prefixes: [...prefixes], complete: cursor === undefined })
        }
      } while (cursor !== undefined && !controller.signal.aborted)
    }
    load().catch((error: unknown) => {
      if (!controller.signal.aborted) {
        setListing({ objects, prefixes, complete: true, error: messageOf(error) })
      }
    })
    return () => controller.abort()
  }, [client, bucket, prefix, sort, order, q, type, version])
  return listing
}
