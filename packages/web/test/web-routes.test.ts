import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../server/src/http/typed-app.ts'
import { webRoutes } from '../../server/src/routes/web-routes.ts'

/** A service with only the UI routes, on a dist made here, and an API route beside them. */
async function serve(dir: string, contentUrl?: string): Promise<FastifyInstance> {
  const app = Fastify()
  app.setNotFoundHandler((_request, reply) => reply.code(404).type('application/problem+json').send('{}'))
  app.get('/v1/buckets', async () => ({ buckets: [] }))
  await webRoutes(
    app as unknown as App,
    contentUrl === undefined ? { dir } : { dir, contentUrl: () => contentUrl },
  )
  return app
}

describe('the UI routes', () => {
  let dist: string
  let built: FastifyInstance
  let unbuilt: FastifyInstance
  const html = { accept: 'text/html,application/xhtml+xml' }

  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'coffer-web-'))
    await mkdir(join(dist, 'assets'))
    await writeFile(
      join(dist, 'index.html'),
      '<!doctype html><head><script type="module" src="/assets/index-abc123.js" nonce="__COFFER_CSP_NONCE__">' +
        '</script></head><div id="root"></div>',
    )
    await writeFile(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)')
    await writeFile(join(dist, 'robots.txt'), 'User-agent: *')
    built = await serve(dist, 'https://files-usercontent.example.com/base')
    unbuilt = await serve(join(dist, 'missing'))
  })
  afterAll(async () => {
    await built?.close()
    await unbuilt?.close()
    await rm(dist, { recursive: true, force: true })
  })

  it('serves index.html at / for revalidation on every load, under the CSP', async () => {
    const response = await built.inject({ url: '/', headers: html })
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('id="root"')
    expect(response.headers['cache-control']).toBe('no-cache')
    expect(response.headers['content-security-policy']).toContain("default-src 'self'")
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'")
  })

  it('trusts only its own script tags, by a fresh nonce, and names the content origin', async () => {
    const first = await built.inject({ url: '/', headers: html })
    const csp = first.headers['content-security-policy'] as string
    const nonce = /script-src 'nonce-([\w+/=]+)';/.exec(csp)?.[1] ?? ''
    expect(nonce.length).toBeGreaterThanOrEqual(24)
    expect(first.body).toContain(`nonce="${nonce}"`)
    expect(first.body).not.toContain('__COFFER_CSP_NONCE__')
    expect(csp).toContain('frame-src https://files-usercontent.example.com;')
    expect(csp).toContain("img-src 'self' blob: data: https://files-usercontent.example.com;")
    expect(first.body).toContain(
      '<meta name="coffer-content-origin" content="https://files-usercontent.example.com">',
    )
    const second = await built.inject({ url: '/b/x/', headers: html })
    expect(second.headers['content-security-policy']).not.toContain(nonce)
  })

  it('serves hashed assets as immutable for a year, other files for revalidation', async () => {
    const asset = await built.inject({ url: '/assets/index-abc123.js' })
    expect(asset.statusCode).toBe(200)
    expect(asset.headers['content-type']).toContain('javascript')
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    const robots = await built.inject({ url: '/robots.txt' })
    expect(robots.headers['cache-control']).toBe('public, max-age=0')
  })

  it('answers page navigations anywhere with the app, and other missing files with 404', async () => {
    const deep = await built.inject({ url: '/b/docs/some/folder/', headers: html })
    expect(deep.statusCode).toBe(200)
    expect(deep.body).toContain('id="root"')
    expect((await built.inject({ url: '/assets/missing.js' })).statusCode).toBe(404)
    // A broken percent-encoding is refused (by Fastify's router, or as not found), never the app.
    expect((await built.inject({ url: '/%E0%A4%A', headers: html })).body).not.toContain('id="root"')
  })

  it("never shadows the API's paths, not even for page navigations", async () => {
    expect((await built.inject({ url: '/v1/buckets', headers: html })).json()).toEqual({ buckets: [] })
    for (const url of ['/v1/nope', '/signed/x', '/public/a/b', '/docs/x', '/healthz', '/metrics', '/v1']) {
      const response = await built.inject({ url, headers: html })
      expect(response.statusCode, url).toBe(404)
      expect(response.headers['content-type'], url).toContain('application/problem+json')
    }
  })

  it('says how to build the UI when it is not built', async () => {
    const response = await unbuilt.inject({ url: '/' })
    expect(response.statusCode).toBe(503)
    expect(response.body).toContain('npm run build -w @coffer/web')
    expect((await unbuilt.inject({ url: '/b/x/', headers: html })).statusCode).toBe(503)
    expect((await unbuilt.inject({ url: '/favicon.ico' })).statusCode).toBe(404)
    expect((await unbuilt.inject({ url: '/v1/nope', headers: html })).statusCode).toBe(404)
  })
})
