/** The opaque part of an entity tag: quotes and the weak `W/` marker removed. */
function opaque(tag: string): string {
  const trimmed = tag.trim()
  const strong = trimmed.startsWith('W/') ? trimmed.slice(2) : trimmed
  return strong.replace(/^"|"$/g, '')
}

/**
 * Whether an `If-None-Match` value matches an object's etag. Per RFC 9110 §13.1.2 the comparison is
 * weak (a `W/` prefix is ignored) and `*` matches any existing object. Unquoted tags are accepted too,
 * since callers of the library often pass the bare hex.
 */
export function ifNoneMatchMatches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true
  const wanted = opaque(etag)
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === wanted)
}
