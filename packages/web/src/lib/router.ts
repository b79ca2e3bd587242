import { useCallback, useEffect, useState } from 'react'

/** Where the UI is: the bucket list, a folder of a bucket, or the sites. */
export type Route =
  | { page: 'buckets' }
  | { page: 'browse'; bucket: string; prefix: string }
  | { page: 'sites' }

const SITES = '/sites'

const BROWSE = '/b/'

/** The route of a path: `/b/<bucket>/<folder>/…/` (segments percent-encoded), anything else is the list. */
export function routeOf(pathname: string): Route {
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
