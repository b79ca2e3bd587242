import { CofferError } from '@coffer/client'
import { useCallback, useEffect, useState } from 'react'
import { type CofferClient, listPage } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import type { ObjectSummary } from '../api/types.ts'
import type { ViewOptions } from './listing.ts'

/** A folder's listing as it loads: page after page, until the server has no more. */
export interface Listing {
  objects: ObjectSummary[]
  prefixes: string[]
  complete: boolean
  error?: string
  /**
   * The server could not be reached (or answered 5xx) on the last load: the rows are the last ones
   * loaded, kept rather than emptied, until `retry` loads them again.
   */
  offline?: boolean
  /** Loads the folder again from its first page (no-op while a load runs). */
  retry?: () => void
}

const EMPTY: Listing = { objects: [], prefixes: [], complete: false }

/** Whether a failure is the network's (or a struggling server's): worth keeping the rows and retrying. */
function isUnreachable(error: unknown): boolean {
  return error instanceof CofferError && (error.status === 0 || error.status >= 500)
}

/**
 * Loads every page of a folder (1000 keys each) and shows each as it comes, so the first rows appear
 * at once and 10,000 objects take ten requests. Loads again when the folder, the server-side view
 * (sort, order, search, type), `version` or a retry changes; a stale load is aborted. When the
 * network drops, the last listing stays on screen (marked offline); a retry, or the browser coming
 * back online, loads it again from the first page into fresh arrays, so nothing is shown twice.
 */
export function useListing(
  client: CofferClient,
  bucket: string,
  prefix: string,
  view: ViewOptions,
  version: number,
): Listing {
  const [listing, setListing] = useState<Listing & { of?: string }>(EMPTY)
  const [attempt, setAttempt] = useState(0)
  const { sort, order, q, type } = view
  const retry = useCallback(() => setAttempt((n) => n + 1), [])
  useEffect(() => {
    addEventListener('online', retry)
    return () => removeEventListener('online', retry)
  }, [retry])
  // biome-ignore lint/correctness/useExhaustiveDependencies: version and attempt are reload triggers
  useEffect(() => {
    const controller = new AbortController()
    const objects: ObjectSummary[] = []
    const prefixes: string[] = []
    let pages = 0
    const of = JSON.stringify([bucket, prefix])
    setListing((current) => ({ ...current, complete: false }))
    const load = async () => {
      let cursor: string | undefined
      do {
        const query = { prefix, delimiter: '/', sort, order, q, type, ...(cursor ? { cursor } : {}) }
        const page = await listPage(client, bucket, query, controller.signal)
        objects.push(...page.objects)
        prefixes.push(...page.prefixes)
        pages++
        cursor = page.cursor
        if (!controller.signal.aborted) {
          setListing({ of, objects: [...objects], prefixes: [...prefixes], complete: cursor === undefined })
        }
      } while (cursor !== undefined && !controller.signal.aborted)
    }
    load().catch((error: unknown) => {
      if (controller.signal.aborted) return
      if (isUnreachable(error)) {
        // No page of this load came: the last listing of this folder is the best there is; keep it.
        setListing((current) =>
          pages === 0 && current.of === of
            ? { ...current, complete: true, offline: true }
            : { of, objects, prefixes, complete: true, offline: true },
        )
      } else setListing({ of, objects, prefixes, complete: true, error: messageOf(error) })
    })
    return () => controller.abort()
  }, [client, bucket, prefix, sort, order, q, type, version, attempt])
  const { of: _of, ...shown } = listing
  return { ...shown, retry }
}
