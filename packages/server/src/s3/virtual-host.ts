/**
 * The bucket a virtual-host style request names in its `Host` (`<bucket>.<domain>[:port]`), or
 * undefined for a path-style request (any other host, or the domain itself). Host names compare
 * case-insensitively (RFC 9110 §4.2.3), with a trailing dot ignored; a bucket name that holds dots
 * (`my.bucket.<domain>`) is everything in front of the domain.
 */
export function bucketOfHost(host: string | undefined, domain: string | undefined): string | undefined {
  if (domain === undefined || host === undefined) return undefined
  // An IPv6 literal (`[::1]:7375`) is never a bucket's host; only a name's port is cut here.
  const name = host.startsWith('[') ? host : host.replace(/:\d*$/, '')
  const bare = name.toLowerCase().replace(/\.$/, '')
  const suffix = `.${domain}`
  if (!bare.endsWith(suffix) || bare.length === suffix.length) return undefined
  return bare.slice(0, -suffix.length)
}

/**
 * A request's path in path style (`/<bucket>/<key>`): a virtual-host request's path is its key, so
 * the bucket of its host goes in front (encoded, as the path is), and everything after routes and
 * reports errors as for a path-style request. The signature is verified on the path as sent.
 */
export function pathStylePath(rawPath: string, host: string | undefined, domain: string | undefined): string {
  const bucket = bucketOfHost(host, domain)
  return bucket === undefined ? rawPath : `/${encodeURIComponent(bucket)}${rawPath}`
}

/** The bucket a request names, path or virtual-host style; undefined for none or a malformed path. */
export function bucketOfRequest(
  rawPath: string,
  host: string | undefined,
  domain: string | undefined,
): string | undefined {
  const path = pathStylePath(rawPath, host, domain).slice(1)
  const slash = path.indexOf('/')
  try {
    return decodeURIComponent(slash < 0 ? path : path.slice(0, slash)) || undefined
  } catch {
    return undefined
  }
}
