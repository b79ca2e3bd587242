import { StorageError } from '@coffer/core'

/**
 * A site's name is the first label of its host name (`<site>.sites.<domain>`), so it follows the
 * DNS label rules (RFC 1035 §2.3.1, lower case as browsers send it): 1 to 63 of a-z, 0-9 and "-",
 * not starting or ending with "-". Names with "--" at positions 3-4 are refused too: they are
 * reserved for IDNA ("xn--"), which browsers would show as another name.
 */
const SITE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/** Whether `name` may name a site. */
export function isSiteName(name: string): boolean {
  return SITE_NAME.test(name) && name.slice(2, 4) !== '--'
}

/** Returns `name` or throws `InvalidArgument` (400). */
export function checkSiteName(name: string): string {
  if (isSiteName(name)) return name
  throw new StorageError(
    'InvalidArgument',
    'a site name is 1 to 63 lower-case letters, digits and "-", not starting or ending with "-"',
  )
}

/**
 * The site a request's Host names, or undefined when it names none: `demo.sites.localhost:7374`
 * is the site `demo` when `domain` is `sites.localhost`. The port is ignored (the content origin's
 * listener decides the port); the comparison is case-insensitive, as host names are.
 */
export function siteOfHost(host: string | undefined, domain: string): string | undefined {
  if (host === undefined) return undefined
  const name = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '')
  const suffix = `.${domain.toLowerCase()}`
  if (!name.endsWith(suffix)) return undefined
  const site = name.slice(0, -suffix.length)
  return isSiteName(site) ? site : undefined
}
