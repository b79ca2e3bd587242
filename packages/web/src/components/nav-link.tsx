import type { ReactNode } from 'react'
import { pathOf, type Route } from '../lib/router.ts'

/** A link to a route of the UI: a real href (new tabs work), followed in place on a plain click. */
export function NavLink(props: {
  route: Route
  current: Route
  navigate: (route: Route) => void
  children: ReactNode
}) {
  const href = pathOf(props.route)
  const here = pathOf(props.current) === href
  return (
    <a
      className="nav-link"
      href={href}
      {...(here ? { 'aria-current': 'page' as const } : {})}
      onClick={(event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return
        event.preventDefault()
        props.navigate(props.route)
      }}
    >
      {props.children}
    </a>
  )
}
