import { useCallback, useEffect, useRef, useState } from 'react'
import type { ViewOptions } from './listing.ts'
import { searchOf, viewOf } from './view-address.ts'

/**
 * A folder's sort, filters and search, kept in the address's query, so that a reload, back and
 * forward, and a link shared with someone open the same view. Typing in the search field replaces
 * the history entry (one entry per search, not one per key); other changes add one. `folder` is
 * the page's folder: a new folder takes its view from its new address.
 */
export function useViewInAddress(folder: string): [ViewOptions, (view: ViewOptions) => void] {
  const [state, setState] = useState(() => ({ folder, view: viewOf(location.search) }))
  // React's "state from a changed prop": a new folder was pushed with its own (or no) query.
  const current = state.folder === folder ? state : { folder, view: viewOf(location.search) }
  if (current !== state) setState(current)
  const latest = useRef(current.view)
  latest.current = current.view
  useEffect(() => {
    const onPop = () => setState((s) => ({ ...s, view: viewOf(location.search) }))
    addEventListener('popstate', onPop)
    return () => removeEventListener('popstate', onPop)
  }, [])
  const setView = useCallback(
    (next: ViewOptions) => {
      const search = searchOf(next)
      if (search !== location.search) {
        const url = `${location.pathname}${search}${location.hash}`
        if (next.q !== latest.current.q) history.replaceState(history.state, '', url)
        else history.pushState(history.state, '', url)
      }
      latest.current = next
      setState({ folder, view: next })
    },
    [folder],
  )
  return [current.view, setView]
}
