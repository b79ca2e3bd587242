import type { ObjectSummary } from '../api/types.ts'
import { baseName, formatBytes, formatDate } from '../lib/format.ts'
import { pathOf } from '../lib/router.ts'
import type { SearchResults } from '../lib/use-search.ts'

/** The folder of a key, as its prefix (`a/b/` of `a/b/c.txt`; `''` at the root). */
export function folderOfKey(key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1)
}

/**
 * What a search of the whole bucket found: each file with the folder it is in, a link that opens
 * that folder, and more results on demand.
 */
export function SearchResultsList(props: {
  bucket: string
  query: string
  /** Where the search looked: the bucket's root, or the part of it the credential may list. */
  root: string
  results: SearchResults
  onOpen: (object: ObjectSummary) => void
  onFolder: (prefix: string) => void
}) {
  const { bucket, results } = props
  const where = props.root === '' ? bucket : `${bucket}/${props.root}`
  return (
    <section className="search-results" aria-label={`Search results in ${where}`}>
      <p className="listing-status muted" role="status" aria-live="polite">
        {results.loading && results.objects.length === 0
          ? `Searching ${where}…`
          : `${results.objects.length.toLocaleString()}${results.complete ? '' : '+'} ${
              results.objects.length === 1 ? 'file' : 'files'
            } named like “${props.query.trim()}” in ${where}`}
      </p>
      {results.objects.length === 0 && results.complete ? <p className="empty">Nothing matches.</p> : null}
      <ul className="results">
        {results.objects.map((object) => {
          const folder = folderOfKey(object.key)
          return (
            <li key={object.key} className="result">
              <button type="button" className="link result-name" onClick={() => props.onOpen(object)}>
                {baseName(object.key)}
              </button>
              <a
                className="result-folder"
                href={pathOf({ page: 'browse', bucket, prefix: folder })}
                aria-label={`Open folder ${bucket}/${folder} of ${baseName(object.key)}`}
                onClick={(event) => {
                  event.preventDefault()
                  props.onFolder(folder)
                }}
              >
                in {bucket}/{folder}
              </a>
              <span className="muted">{formatBytes(object.size)}</span>
              <span className="muted">{formatDate(object.lastModified)}</span>
            </li>
          )
        })}
      </ul>
      {results.complete || results.error !== undefined || results.loading ? null : (
        <button type="button" onClick={results.more}>
          Show more results
        </button>
      )}
    </section>
  )
}
