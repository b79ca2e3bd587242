import { allows } from '../lib/abilities.ts'
import type { CofferClient } from './coffer-client.ts'
import type { Whoami } from './types.ts'

/** The bucket every site's deploys are stored in, under `sites/<site>/`. */
const SITES_BUCKET = 'prototypes'

/** A prototype site, as `GET /v1/sites` answers. */
export interface Site {
  name: string
  /** The site's own origin, where it is served. */
  url: string
  public: boolean
  /** The live deploy; none before the first deploy. */
  current?: string
  createdAt: string
  updatedAt: string
}

/** One immutable deploy of a site. */
export interface Deploy {
  id: string
  files: number
  bytes: number
  spa: boolean
  createdAt: string
}

const sitePath = (site: string) => `/v1/sites/${encodeURIComponent(site)}`

/** The sites whose deploys this credential may list, by name. */
export async function listSites(client: CofferClient): Promise<Site[]> {
  return (await client.json<{ sites: Site[] }>('/v1/sites')).sites
}

/** A site's deploys, newest first. */
export async function siteDeploys(client: CofferClient, site: string): Promise<Deploy[]> {
  return (await client.json<{ deploys: Deploy[] }>(sitePath(site))).deploys
}

/** Makes `deploy` the live one (atomically, for every visitor); a rollback is a switch back. */
export async function switchDeploy(client: CofferClient, site: string, deploy: string): Promise<void> {
  await client.request(sitePath(site), {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ current: deploy }),
  })
}

/** Deletes a deploy that is not live, with its files. */
export async function deleteDeploy(client: CofferClient, site: string, deploy: string): Promise<void> {
  await client.request(`${sitePath(site)}/deploys/${encodeURIComponent(deploy)}`, { method: 'DELETE' })
}

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
