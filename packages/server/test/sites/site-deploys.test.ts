import type { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from '../harness.ts'
import { patchName, type TestEntry, tarGzOf, zipOf, zipOfZeros } from './archives.ts'
import { siteGet } from './site-client.ts'

const SITE: TestEntry[] = [
  { name: 'index.html', data: '<!doctype html><title>home</title><a href="about/">about</a>' },
  { name: 'about/index.html', data: '<!doctype html><title>about</title>' },
  { name: 'assets/app.3f9a61c2.js', data: 'document.title += "!"' },
  { name: '404.html', data: '<!doctype html><title>lost</title>' },
]

interface DeployAnswer {
  site: { name: string; url: string; public: boolean; current?: string }
  deploy: { id: string; files: number; bytes: number; spa: boolean }
}

describe('sites: deploys over the API, served on their own origin', () => {
  let h: Harness
  const deploy = (site: string, body: Buffer, query = '') =>
    h.fetch(`/v1/sites/${site}/deploys${query}`, {
      method: 'POST',
      token: h.admin,
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(body),
    })
  const patch = (site: string, change: object) =>
    h.fetch(`/v1/sites/${site}`, json(change, { method: 'PATCH', token: h.admin }))

  beforeAll(async () => {
    h = await startHarness('sqlite')
  })
  afterAll(() => h?.close())

  it('deploys a zip and serves it: folders, types, caching, 404 page, ETag and Range', async () => {
    const response = await deploy('demo', await zipOf(SITE))
    expect(response.status).toBe(201)
    const answer = (await response.json()) as DeployAnswer
    expect(answer.deploy).toMatchObject({ files: 4, spa: false })
    expect(answer.site).toMatchObject({ name: 'demo', public: false, current: answer.deploy.id })
    expect(answer.site.url).toBe(`http://demo.sites.localhost:${new URL(h.contentUrl).port}`)
    expect((await patch('demo', { public: true })).status).toBe(200)

    const home = await siteGet(h.contentUrl, 'demo', '/')
    expect(home.status).toBe(200)
    expect(home.body).toContain('<title>home</title>')
    expect(home.headers['content-type']).toMatch(/^text\/html/)
    expect(home.headers['content-security-policy']).toBeUndefined()
    expect(home.headers['content-disposition']).toBeUndefined()
    expect(home.headers['cache-control']).toBe('public, no-cache')

    const folder = await siteGet(h.contentUrl, 'demo', '/about?x=1')
    expect(folder.status).toBe(301)
    expect(folder.headers.location).toBe('/about/?x=1')
    expect((await siteGet(h.contentUrl, 'demo', '/about/')).body).toContain('<title>about</title>')

    const script = await siteGet(h.contentUrl, 'demo', '/assets/app.3f9a61c2.js')
    expect(script.headers['content-type']).toMatch(/javascript/)
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable')

    const lost = await siteGet(h.contentUrl, 'demo', '/nowhere', { range: 'bytes=0-3' })
    expect(lost.status).toBe(404)
    expect(lost.body).toContain('<title>lost</title>')

    const etag = home.headers.etag as string
    expect((await siteGet(h.contentUrl, 'demo', '/', { 'if-none-match': etag })).status).toBe(304)
    const part = await siteGet(h.contentUrl, 'demo', '/', { range: 'bytes=0-8' })
    expect(part.status).toBe(206)
    expect(part.body).toBe('<!doctype')
    expect((await siteGet(h.contentUrl, 'nosuchsite', '/')).status).toBe(404)
    expect((await siteGet(h.contentUrl, 'demo', '/', {}, 'DELETE')).status).toBe(405)
  })

  it('compresses text by Accept-Encoding, never a range, and still answers 304', async () => {
    const text = Array.from({ length: 2000 }, (_, i) => `line ${i} of a long page`).join('\n')
    await deploy('zipped', await zipOf([{ name: 'index.html', data: `<!doctype html><pre>${text}</pre>` }]))
    await patch('zipped', { public: true })
    const plainPage = await siteGet(h.contentUrl, 'zipped', '/')
    expect(plainPage.headers['content-encoding']).toBeUndefined()
    expect(plainPage.headers.vary).toBe('Accept-Encoding')
    const br = await siteGet(h.contentUrl, 'zipped', '/', { 'accept-encoding': 'gzip, deflate, br' })
    expect(br.headers['content-encoding']).toBe('br')
    expect(brotliDecompressSync(br.bytes).toString()).toBe(plainPage.body)
    expect(br.bytes.byteLength).toBeLessThan(plainPage.bytes.byteLength / 4)
    expect(br.headers.etag).toBe(`${String(plainPage.headers.etag).slice(0, -1)}-br"`)
    const gz = await siteGet(h.contentUrl, 'zipped', '/', { 'accept-encoding': 'gzip, br;q=0' })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.bytes).toString()).toBe(plainPage.body)
    const part = await siteGet(h.contentUrl, 'zipped', '/', { 'accept-encoding': 'br', range: 'bytes=0-99' })
    expect(part.status).toBe(206)
    expect(part.headers['content-encoding']).toBeUndefined()
    expect(part.body).toBe(plainPage.body.slice(0, 100))
    const again = await siteGet(h.contentUrl, 'zipped', '/', {
      'accept-encoding': 'br',
      'if-none-match': br.headers.etag as string,
    })
    expect(again.status).toBe(304)
    expect(again.headers.etag).toBe(br.headers.etag)
  })

  it('keeps site HTML from rendering anywhere but on its own origin', async () => {
    const { site } = (await (await h.fetch('/v1/sites/demo', { token: h.admin })).json()) as DeployAnswer
    const key = `sites/demo/${site.current}/index.html`
    const api = await h.fetch(`/v1/buckets/prototypes/objects/${key}`, { token: h.admin })
    expect(api.headers.get('content-disposition')).toMatch(/^attachment/)
    const signed = await h.fetch(
      `/v1/buckets/prototypes/sign`,
      json({ key, method: 'GET', expiresIn: 60 }, { token: h.admin }),
    )
    expect(signed.status).toBe(200)
    const { url } = (await signed.json()) as { url: string }
    const page = await fetch(url)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-disposition')).toMatch(/^attachment/)
    expect(page.headers.get('content-security-policy')).toContain('sandbox')
    const publicRead = await fetch(`${h.contentUrl}/public/prototypes/${key}`)
    expect(publicRead.status).toBe(404)
  })

  it('switches the live deploy atomically, rolls back, and deletes only deploys not live', async () => {
    const first = ((await (await h.fetch('/v1/sites/demo', { token: h.admin })).json()) as DeployAnswer).site
      .current
    const spa = [
      { name: 'index.html', data: '<!doctype html><title>spa</title>' },
      { name: 'coffer-site.json', data: '{"spa": true}' },
    ]
    const second = (await (await deploy('demo', await tarGzOf(spa))).json()) as DeployAnswer
    expect(second.deploy.spa).toBe(true)
    expect((await siteGet(h.contentUrl, 'demo', '/deep/link')).body).toContain('<title>spa</title>')
    expect((await patch('demo', { current: first })).status).toBe(200)
    expect((await siteGet(h.contentUrl, 'demo', '/')).body).toContain('<title>home</title>')
    expect((await patch('demo', { current: 'nope' })).status).toBe(404)
    expect(
      (await h.fetch(`/v1/sites/demo/deploys/${first}`, { method: 'DELETE', token: h.admin })).status,
    ).toBe(409)
    const removed = await h.fetch(`/v1/sites/demo/deploys/${second.deploy.id}`, {
      method: 'DELETE',
      token: h.admin,
    })
    expect(removed.status).toBe(204)
    expect((await h.stored('prototypes')).some((key) => key.includes(second.deploy.id))).toBe(false)
    const listed = (await (await h.fetch('/v1/sites/demo', { token: h.admin })).json()) as {
      deploys: { id: string }[]
    }
    expect(listed.deploys.map((d) => d.id)).toEqual([first])
  })

  it('opens a private site only through a preview link, with a cookie for that origin alone', async () => {
    await deploy('secret', await zipOf(SITE))
    expect((await siteGet(h.contentUrl, 'secret', '/')).status).toBe(403)
    const link = (await (
      await h.fetch('/v1/sites/secret/preview', json({ expiresIn: 600 }, { token: h.admin }))
    ).json()) as { url: string }
    const url = new URL(link.url)
    expect(url.host).toBe(`secret.sites.localhost:${new URL(h.contentUrl).port}`)
    const opened = await siteGet(h.contentUrl, 'secret', url.pathname + url.search)
    expect(opened.status).toBe(303)
    const cookie = String(opened.headers['set-cookie'])
    expect(cookie).toMatch(/^coffer-preview=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/)
    const value = cookie.split(';')[0] as string
    const granted = await siteGet(h.contentUrl, 'secret', '/', { cookie: value })
    expect(granted.status).toBe(200)
    // Sibling sites share a registrable domain: no other origin may load a private file as a script.
    expect(granted.headers['cross-origin-resource-policy']).toBe('same-origin')
    // A junk cookie of the same name that another site set for the parent domain comes first: the
    // real grant behind it still opens the site (taking the first value locked visitors out).
    const tossed = `coffer-preview=junk; ${value}`
    expect((await siteGet(h.contentUrl, 'secret', '/', { cookie: tossed })).status).toBe(200)
    expect((await siteGet(h.contentUrl, 'secret', '/', { cookie: 'coffer-preview=junk' })).status).toBe(403)
    expect((await siteGet(h.contentUrl, 'demo', '/', { cookie: value })).status).toBe(200)
    await patch('demo', { public: false })
    expect((await siteGet(h.contentUrl, 'demo', '/', { cookie: value })).status).toBe(403)
    const forged = `${url.pathname}?token=${Math.floor(Date.now() / 1000) + 600}.${'A'.repeat(43)}`
    expect((await siteGet(h.contentUrl, 'secret', forged)).status).toBe(403)
  })

  it.each([
    [
      'a zip with a ".." path',
      async () =>
        patchName(await zipOf([...SITE, { name: 'XX/evil.html', data: 'x' }]), 'XX/evil', '../evil'),
      400,
    ],
    [
      'a tar.gz with a symlink',
      () => tarGzOf([...SITE, { name: 'passwd', type: 'symlink', linkname: '/etc/passwd' }]),
      400,
    ],
    ['a zip bomb', async () => buffer(zipOfZeros('zeros.bin', 8 * 1024 * 1024) as Readable), 413],
    ['a body that is no archive', async () => Buffer.from('<html>'), 415],
    ['a truncated tar.gz', async () => (await tarGzOf(SITE)).subarray(0, 200), 400],
  ])('refuses %s and stores nothing', async (_, build, status) => {
    const before = await h.stored('prototypes')
    const response = await deploy('bad', await build())
    expect(response.status).toBe(status)
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await h.stored('prototypes')).toEqual(before)
    expect((await h.fetch('/v1/sites/bad', { token: h.admin })).status).toBe(404)
  })

  it('lists only the sites whose deploys the credential may list', async () => {
    const names = async (token: string) => {
      const response = await h.fetch('/v1/sites', { token })
      expect(response.status).toBe(200)
      return ((await response.json()) as { sites: { name: string; url: string }[] }).sites.map((s) => s.name)
    }
    const all = await names(h.admin)
    expect(all).toEqual([...all].sort())
    expect(all).toEqual(expect.arrayContaining(['demo', 'secret', 'zipped']))
    const one = await h.key([{ bucket: 'prototypes', prefix: 'sites/demo/', permissions: ['list'] }])
    expect(await names(one)).toEqual(['demo'])
    const writer = await h.key([{ bucket: 'prototypes', prefix: 'sites/', permissions: ['write'] }])
    expect(await names(writer)).toEqual([])
    expect((await h.fetch('/v1/sites')).status).toBe(401)
  })

  it('refuses a site name that is no DNS label', async () => {
    expect((await deploy('Not_A_Label', await zipOf(SITE))).status).toBe(400)
  })
})
