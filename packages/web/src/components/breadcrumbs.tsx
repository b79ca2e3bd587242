import { crumbsOf } from '../lib/listing.ts'
import { pathOf } from '../lib/router.ts'

/** Buckets › bucket › folder › …; the last one is the current page. */
export function Breadcrumbs(props: {
  bucket: string
  prefix: string
  onNavigate: (prefix: string | undefined) => void
}) {
  const crumbs = [{ name: props.bucket, prefix: '' }, ...crumbsOf(props.prefix)]
  const link = (name: string, prefix: string | undefined) => (
    <a
      href={prefix === undefined ? '/' : pathOf({ page: 'browse', bucket: props.bucket, prefix })}
      onClick={(event) => {
        event.preventDefault()
        props.onNavigate(prefix)
      }}
    >
      {name}
    </a>
  )
  return (
    <nav aria-label="Breadcrumb" className="breadcrumbs">
      <ol>
        <li>{link('Buckets', undefined)}</li>
        {crumbs.map((crumb, i) => (
          <li key={crumb.prefix}>
            {i === crumbs.length - 1 ? (
              <h1 aria-current="page">{crumb.name}</h1>
            ) : (
              link(crumb.name, crumb.prefix)
            )}
          </li>
        ))}
      </ol>
    </nav>
  )
}
