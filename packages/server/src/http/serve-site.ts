import { isStorageError, normalizeKey } from '@coffer/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { BucketObjects } from '../domain/buckets/bucket-objects.ts'
import { deployPrefix } from '../domain/sites/deploy-site.ts'
import { siteCacheControl } from '../domain/sites/site-cache-control.ts'
import {
  cookieValues,
  PREVIEW_COOKIE,
  PREVIEW_PATH,
  previewCookie,
  verifyPreview,
} from '../domain/sites/site-preview.ts'
import type { Deploy, Site, SiteStore } from '../domain/sites/site-store.ts'
import { serveObject } from './serve-object.ts'
import { allowCompression, servingFile } from './site-compression.ts'

/** What serving sites needs from the app. */
export interface SiteServing {
  sites: SiteStore
  /** The `prototypes` bucket's objects, read by an anonymous visitor. */
  objects: (request: FastifyRequest) => Promise<BucketObjects>
  /** Signs and checks preview links. */
  previewSecret: string
  /** Whether browsers reach sites over HTTPS (the content origin's URL says so behind a proxy). */
  https: () => boolean
}

function plain(reply: FastifyReply, status: number, text: string): FastifyReply {
  reply.header('cache-control', 'no-store')
  return reply.code(status).type('text/plain; charset=utf-8').send(text)
}

/** Serves `key` when it exists; false when it does not (nothing was sent then). */
async function tryServe(
  request: FastifyRequest,
  reply: FastifyReply,
  objects: BucketObjects,
  site: Site,
  key: string,
) {
  const cacheControl = siteCacheControl(key, site.public)
  try {
    // A URL path the key rules refuse (`/a//b`) names no file: InvalidKey is a 404 here.
    const file = normalizeKey(key)
    servingFile(request, objects.bucket.name, file)
    await serveObject(request, reply, objects, file, { site: { cacheControl } })
    return true
  } catch (error) {
    if (isStorageError(error, 'NotFound', 'InvalidKey')) return false
    throw error
  }
}

async function exists(objects: BucketObjects, key: string): Promise<boolean> {
  try {
    await objects.stat(normalizeKey(key))
    return true
  } catch (error) {
    if (isStorageError(error, 'NotFound', 'InvalidKey')) return false
    throw error
  }
}

/**
 * Answers a request for a deploy's file as a static host does: `/` and `/folder/` serve the
 * folder's `index.html`, `/folder` redirects to `/folder/` when only that exists (so that its
 * relative links resolve), a path that names nothing serves `index.html` with 200 in a single-page
 * app, else the deploy's `404.html` with 404, else a plain 404.
 */
async function serveDeployFile(
  request: FastifyRequest,
  reply: FastifyReply,
  objects: BucketObjects,
  site: Site,
  deploy: Deploy,
  url: URL,
): Promise<FastifyReply> {
  let path: string
  try {
    path = decodeURIComponent(url.pathname).slice(1)
  } catch {
    return plain(reply, 400, 'Bad request: the path is not valid percent-encoded UTF-8')
  }
  const prefix = deployPrefix(site.name, deploy.id)
  const wanted = path === '' || path.endsWith('/') ? `${path}index.html` : path
  if (await tryServe(request, reply, objects, site, prefix + wanted)) return reply
  if (wanted === path && (await exists(objects, `${prefix}${path}/index.html`))) {
    return reply.redirect(`${url.pathname}/${url.search}`, 301)
  }
  if (deploy.spa && (await tryServe(request, reply, objects, site, `${prefix}index.html`))) return reply
  // The not-found page is a whole 404 answer: no part of it, and no 304 for its ETag.
  delete request.headers.range
  delete request.headers['if-none-match']
  reply.code(404)
  if (await tryServe(request, reply, objects, site, `${prefix}404.html`)) return reply
  return plain(reply, 404, 'Not found')
}

/** Opens a private site for the holder of a preview link: sets the site's cookie and goes to `/`. */
function openPreview(
  request: FastifyRequest,
  reply: FastifyReply,
  serving: SiteServing,
  site: Site,
  url: URL,
) {
  const token = url.searchParams.get('token') ?? undefined
  const expires = verifyPreview(serving.previewSecret, site.name, token)
  if (token === undefined || expires === undefined) {
    return plain(reply, 403, 'This preview link is not valid or has expired; ask for a new one.')
  }
  const secure = serving.https() || request.protocol === 'https'
  reply.header('set-cookie', previewCookie(token, expires, secure))
  return reply.redirect('/', 303)
}

/**
 * Serves the site `name` on its own origin: its live deploy's files, rendered as they are (no
 * sandbox, no attachment). A private site needs the cookie of a preview link.
 */
export async function serveSite(
  request: FastifyRequest,
  reply: FastifyReply,
  serving: SiteServing,
  name: string,
): Promise<FastifyReply> {
  const url = new URL(request.url, 'http://site.invalid')
  const site = await serving.sites.get(name)
  const deploy =
    site?.currentDeploy === undefined ? undefined : await serving.sites.deploy(name, site.currentDeploy)
  if (site === undefined || deploy === undefined) return plain(reply, 404, 'No site is deployed here.')
  if (url.pathname === PREVIEW_PATH) return openPreview(request, reply, serving, site, url)
  if (!site.public) {
    const grants = cookieValues(request.headers.cookie, PREVIEW_COOKIE)
    if (!grants.some((grant) => verifyPreview(serving.previewSecret, name, grant) !== undefined)) {
      return plain(reply, 403, 'This site is private: open it with a preview link.')
    }
    // No other origin may load a private site's files as a script, style or image (the Fetch
    // standard's Cross-Origin-Resource-Policy check): sibling sites share a registrable domain, so
    // the preview cookie (SameSite=Lax) would go along with such a load and leak the file.
    reply.header('cross-origin-resource-policy', 'same-origin')
  }
  allowCompression(request)
  return serveDeployFile(request, reply, await serving.objects(request), site, deploy, url)
}
