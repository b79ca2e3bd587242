import { useCallback, useEffect, useState } from 'react'
import { type CofferClient, searchPage } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import type { ObjectSummary } from '../api/types.ts'
import type { ViewOptions } from './listing.ts'

/** Results of a search by name, as far as they are loaded. */
export interface SearchResults {
  objects: ObjectSummary[]
  /** Whether every result is loaded (no more pages). */
  complete: boolean
  loading: boolean
  error?: string
  /** Loads the next page. */
  more: () => void
}

/** Results per page: enough to scan, few enough to come at once from a large bucket. */
const PAGE = 200

interface State {
  /** The search these results are of; other results are stale. */
  search: string
  objects: ObjectSummary[]
  cursor?: string
  pages: number
  wanted: number
  done: boolean
  error?: string
}

const fresh = (search: string): State => ({ search, objects: [], pages: 0, wanted: 1, done: false })

/**
 * Searches names through every folder under `root`, one page at a time (the next on `more`), with
 * the view's sort and type filter. A new search starts from its first page; a stale one is aborted.
 */
export function useSearch(
  client: CofferClient,
  bucket: string,
  root: string,
  view: ViewOptions,
  enabled: boolean,
): SearchResults {
  const name = enabled ? view.q.trim() : ''
  const { sort, order, type } = view
  const search = JSON.stringify([bucket, root, name, sort, order, type])
  const [stored, setStored] = useState<State>(() => fresh(search))
  const state = stored.search === search ? stored : fresh(search)
  const idle = name === '' || state.done || state.error !== undefined || state.pages >= state.wanted
  const { cursor } = state
  useEffect(() => {
    if (idle) return
    const controller = new AbortController()
    const query = { prefix: root, name, sort, order, type, limit: PAGE, ...(cursor ? { cursor } : {}) }
    searchPage(client, bucket, query, controller.signal).then(
      (page) => {
        if (controller.signal.aborted) return
        setStored((s) => {
          const base = s.search === search ? s : fresh(search)
          const next: State = {
            ...base,
            objects: [...base.objects, ...page.objects],
            pages: base.pages + 1,
            done: page.cursor === undefined,
          }
          if (page.cursor === undefined) delete next.cursor
          else next.cursor = page.cursor
          return next
        })
      },
      (error: unknown) => {
        if (controller.signal.aborted) return
        setStored((s) => ({ ...(s.search === search ? s : fresh(search)), error: messageOf(error) }))
      },
    )
    return () => controller.abort()
  }, [client, bucket, root, name, sort, order, type, search, cursor, idle])
  const more = useCallback(
    () => setStored((s) => (s.search === search ? { ...s, wanted: s.pages + 1 } : s)),
    [search],
  )
  return {
    objects: state.objects,
    complete: state.done,
    loading: !idle,
    ...(state.error === undefined ? {} : { error: state.error }),
    more,
  }
}
