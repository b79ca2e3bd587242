import { allows } from '../lib/abilities.ts'
import type { Whoami } from './types.ts'

/** The bucket every site's deploys are stored in, under `sites/<site>/`. */
const SITES_BUCKET = 'prototypes'

/** What a credential may do with one site's deploys. */
export interface SiteAbilities {
  switch: boolean
  delete: boolean
}

/** What `who` may do with the deploys of `site`; everything without whoami (the server decides). */
export function siteAbilities(who: Whoami | undefined, site: string): SiteAbilities {
  if (!who) return { switch: true, delete: true }
  const folder = `sites/${site}/`
  return {
    switch: allows(who, SITES_BUCKET, folder, 'write'),
    delete: allows(who, SITES_BUCKET, folder, 'delete'),
  }
}

/**
 * Whether the Sites page is for this credential: some scope lets it list deploys of some site (the
 * `prototypes` bucket, at or under `sites/`). Without whoami, yes: the server decides.
 */
export function managesSites(who: Whoami | undefined): boolean {
  if (!who) return true
  return who.scopes.some((scope) => {
    if (scope.bucket !== '*' && scope.bucket !== SITES_BUCKET) return false
    if (!scope.permissions.includes('list') && !scope.permissions.includes('admin')) return false
    const prefix = (scope.prefix ?? '').replace(/\*$/, '')
    return prefix.startsWith('sites/') || 'sites/'.startsWith(prefix)
  })
}
