import { useCallback, useEffect, useState } from 'react'

/** The admin pages (service admins only). */
export const ADMIN_SECTIONS = ['keys', 'usage', 'audit'] as const
export type AdminSection = (typeof ADMIN_SECTIONS)[number]

/**
 * Where the UI is: the bucket list, a folder of a bucket, a bucket's shared links, the sites, or an
 * admin page.
 */
export type Route =
  | { page: 'buckets' }
  | { page: 'browse'; bucket: string; prefix: string }
  | { page: 'shares'; bucket: string }
  | { page: 'sites' }
  | { page: 'admin'; section: AdminSection }

const SITES = '/sites'

const BROWSE = '/b/'
const SHARES = '/shares/'
const ADMIN = '/admin/'

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/**
 * The route of a path: `/b/<bucket>/<folder>/…/` (segments percent-encoded), `/shares/<bucket>`,
 * `/admin/<section>`; anything else is the list.
 */
export function routeOf(pathname: string): Route {
  if (pathname.startsWith(SHARES)) {
    const bucket = decoded(pathname.slice(SHARES.length).split('/')[0] ?? '')
    return bucket === '' ? { page: 'buckets' } : { page: 'shares', bucket }
  }
  if (pathname.startsWith(ADMIN)) {
    const section = pathname.slice(ADMIN.length).split('/')[0]
    const known = ADMIN_SECTIONS.find((s) => s === section)
    return known === undefined ? { page: 'buckets' } : { page: 'admin', section: known }
  }
  if (pathname === SITES || pathname === `${SITES}/`) return { page: 'sites' }
  if (!pathname.startsWith(BROWSE)) return { page: 'buckets' }
  const [bucket = '', ...rest] = pathname.slice(BROWSE.length).split('/')
  if (bucket === '') return { page: 'buckets' }
  try {
    const prefix = rest.map(decodeURIComponent).join('/')
    return { page: 'browse', bucket: decodeURIComponent(bucket), prefix }
  } catch {
    return { page: 'browse', bucket, prefix: '' }
  }
}

/** The path of a route; a folder's prefix ends with `/`, as the path does. */
export function pathOf(route: Route): string {
  if (route.page === 'buckets') return '/'
  if (route.page === 'shares') return `${SHARES}${encodeURIComponent(route.bucket)}`
  if (route.page === 'admin') return `${ADMIN}${route.section}`
  if (route.page === 'sites') return SITES
  const folder = route.prefix.split('/').map(encodeURIComponent).join('/')
  return `${BROWSE}${encodeURIComponent(route.bucket)}/${folder}`
}

/** The current route, following the history (back and forward included), and a way to go elsewhere. */
export function useRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState(() => routeOf(location.pathname))
  useEffect(() => {
    const onPop = () => setRoute(routeOf(location.pathname))
    addEventListener('popstate', onPop)
    return () => removeEventListener('popstate', onPop)
  }, [])
  const navigate = useCallback((next: Route) => {
    history.pushState(null, '', pathOf(next))
    setRoute(next)
  }, [])
  return [route, navigate]
}
