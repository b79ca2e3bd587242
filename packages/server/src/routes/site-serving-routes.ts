import { objectsFor } from '../domain/auth/authorize.ts'
import { CompressedFiles } from '../domain/sites/compressed-files.ts'
import { siteOfHost } from '../domain/sites/site-name.ts'
import type { AppContext } from '../http/app-context.ts'
import { type SiteServing, serveSite } from '../http/serve-site.ts'
import { compressSiteAnswers } from '../http/site-compression.ts'
import type { App } from '../http/typed-app.ts'
import { SITES_BUCKET } from './site-routes.ts'

/**
 * Serves sites on the content origin: a request whose Host is `<site>.<sitesDomain>` is answered
 * by that site, whatever its path (`/public/...` on a site's host is the site's file, not the
 * content route), before any route runs. Every site is thus an origin of its own: its scripts
 * cannot read another site's storage or cookies, nor anything of the API origin.
 */
export function siteServingRoutes(app: App, ctx: AppContext): void {
  const serving: SiteServing = {
    sites: ctx.sites,
    objects: async (request) =>
      objectsFor(ctx, request, await ctx.buckets.getRecent(SITES_BUCKET), undefined),
    previewSecret: ctx.previewSecret,
    https: () => ctx.contentUrl().startsWith('https:'),
  }
  const compressed = new CompressedFiles(ctx.renders.cache, {
    hit: (coding) => ctx.metrics.siteCompression.inc({ coding, result: 'hit' }),
    miss: (coding) => ctx.metrics.siteCompression.inc({ coding, result: 'miss' }),
    storeFailed: (error) => app.log.warn({ err: error }, 'a compressed site file was not cached'),
  })
  compressSiteAnswers(app, compressed)
  app.addHook('onRequest', async (request, reply) => {
    const site = siteOfHost(request.headers.host, ctx.sitesDomain)
    if (site === undefined) return
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      reply.header('allow', 'GET, HEAD')
      return reply.code(405).type('text/plain; charset=utf-8').send('Method not allowed')
    }
    return serveSite(request, reply, serving, site)
  })
}
