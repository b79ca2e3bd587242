import type { SortField, SortOrder } from '../api/types.ts'
import type { ViewOptions } from './listing.ts'

/** The view a folder opens with when its address says nothing. */
export const DEFAULT_VIEW: ViewOptions = { sort: 'name', order: 'asc', q: '', type: '' }

const SORTS: readonly SortField[] = ['name', 'size', 'modified']
const ORDERS: readonly SortOrder[] = ['asc', 'desc']

/**
 * The view a URL query asks for (`?q=cat&type=image/*&sort=size&order=desc&in=bucket`). Anything
 * unknown or malformed falls back to the default, so a hand-edited or old link still opens.
 */
export function viewOf(search: string): ViewOptions {
  const params = new URLSearchParams(search)
  const sort = params.get('sort') as SortField | null
  const order = params.get('order') as SortOrder | null
  const view: ViewOptions = {
    sort: sort !== null && SORTS.includes(sort) ? sort : DEFAULT_VIEW.sort,
    order: order !== null && ORDERS.includes(order) ? order : DEFAULT_VIEW.order,
    // The server refuses search texts over 256 characters; a longer one is cut, not an error page.
    q: (params.get('q') ?? '').slice(0, 256),
    type: (params.get('type') ?? '').slice(0, 128),
  }
  if (params.get('in') === 'bucket') view.everywhere = true
  return view
}

/** The URL query of a view (`''` for the default view), the inverse of `viewOf`. */
export function searchOf(view: ViewOptions): string {
  const params = new URLSearchParams()
  if (view.q !== '') params.set('q', view.q)
  if (view.everywhere) params.set('in', 'bucket')
  if (view.type !== '') params.set('type', view.type)
  if (view.sort !== DEFAULT_VIEW.sort || view.order !== DEFAULT_VIEW.order) {
    params.set('sort', view.sort)
    params.set('order', view.order)
  }
  const query = params.toString()
  return query === '' ? '' : `?${query}`
}
