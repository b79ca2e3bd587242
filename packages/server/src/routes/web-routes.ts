import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyReply } from 'fastify'
import { wantsHtml } from '../http/html-page.ts'
import type { App } from '../http/typed-app.ts'

/** Where `vite build` puts the UI: `packages/web/dist`, the same three levels up from src/ and dist/. */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url))

/** Paths the API and the service own: the UI never answers them, not even with its index page. */
const RESERVED = [
  '/v1',
  '/signed',
  '/public',
  '/render',
  '/render-signed',
  '/docs',
  '/healthz',
  '/readyz',
  '/metrics',
]

/** The text `vite build` puts in every nonce attribute (see vite.config.ts), replaced per response. */
const NONCE_PLACEHOLDER = '__COFFER_CSP_NONCE__'

/**
 * The UI's Content Security Policy. Script: only the tags of the built `index.html`, which carry
 * this response's nonce; not 'self', which would trust any same-origin URL, and a public bucket's
 * `.js` read through `/v1` is one. Previews load from the content origin (signed or public URLs),
 * images and media also from blob: URLs (fetched with the key); frames from the content origin only.
 */
export function webCsp(nonce: string, contentOrigin?: string): string {
  const content = contentOrigin === undefined ? '' : ` ${contentOrigin}`
  return [
    "default-src 'self'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'self'",
    `img-src 'self' blob: data:${content}`,
    `media-src blob:${content}`,
    `frame-src${content || " 'none'"}`,
    "connect-src 'self'",
    "worker-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/** Text for an HTML attribute value. */
function attribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Options of `webRoutes`. */
export interface WebRoutesOptions {
  /** The built UI; default `WEB_DIST`. Read once, at registration: rebuild, then restart. */
  dir?: string
  /**
   * The content origin's URL, which the UI loads previews from: named in the CSP and in the page
   * (`<meta name="coffer-content-origin">`). Absent: no previews from another origin.
   */
  contentUrl?: () => string
}

function isReserved(path: string): boolean {
  return RESERVED.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))
}

/** Every file under `dir`, as URL paths (`/assets/index-3f2a.js`). */
async function filesOf(dir: string): Promise<Set<string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
  return new Set(files.map((file) => `/${relative(dir, file).split(sep).join('/')}`))
}

/** The decoded path of a URL; undefined when its percent-encoding is broken. */
function pathOf(url: string): string | undefined {
  try {
    return decodeURIComponent(url.split('?')[0] ?? '/')
  } catch {
    return undefined
  }
}

/**
 * `index.html` with a fresh nonce in its tags and its CSP, and the content origin in a meta tag.
 * Sent without a validator, so `no-cache` fetches it again on every load.
 */
function sendIndex(reply: FastifyReply, html: string, contentUrl: string | undefined) {
  const nonce = randomBytes(18).toString('base64')
  const origin = contentUrl === undefined ? undefined : new URL(contentUrl).origin
  let page = html.replaceAll(NONCE_PLACEHOLDER, nonce)
  if (origin !== undefined) {
    const meta = `<meta name="coffer-content-origin" content="${attribute(origin)}">`
    page = page.replace('</head>', `    ${meta}\n  </head>`)
  }
  return reply
    .header('cache-control', 'no-cache')
    .header('content-security-policy', webCsp(nonce, origin))
    .type('text/html; charset=utf-8')
    .send(page)
}

/**
 * The web UI at `/`: the files `vite build` made, and `index.html` for any other GET that asks for a
 * page (the UI routes in the browser), except under the API's own paths, which keep their 404 problem
 * documents. Vite names assets by their content hash, so `/assets/*` are cached for a year as
 * immutable; `index.html` is fetched again on every load, so a new build shows at once. Without a build,
 * pages answer 503 with a line saying how to build the UI.
 */
export async function webRoutes(app: App, options: WebRoutesOptions = {}): Promise<void> {
  const dir = options.dir ?? WEB_DIST
  const built = existsSync(join(dir, 'index.html'))
  await app.register(async (scope) => {
    const files = built ? await filesOf(dir) : new Set<string>()
    const html = built ? await readFile(join(dir, 'index.html'), 'utf8') : ''
    if (built) await scope.register(fastifyStatic, { root: dir, serve: false })
    scope.get('/*', { schema: { hide: true } }, async (request, reply) => {
      const path = pathOf(request.url)
      if (path === undefined || isReserved(path)) return reply.callNotFound()
      if (!built) {
        if (path !== '/' && !wantsHtml(request)) return reply.callNotFound()
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The Coffer web UI is not built. Run `npm run build -w @coffer/web`, then restart.\n')
      }
      if (files.has(path) && path !== '/index.html') {
        const immutable = path.startsWith('/assets/')
        return reply.sendFile(path.slice(1), {
          immutable,
          maxAge: immutable ? 365 * 24 * 3600 * 1000 : 0,
        })
      }
      if (path === '/' || path === '/index.html' || wantsHtml(request))
        return sendIndex(reply, html, options.contentUrl?.())
      return reply.callNotFound()
    })
  })
}
