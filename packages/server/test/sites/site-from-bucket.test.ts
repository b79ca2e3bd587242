import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from '../harness.ts'
import { siteGet } from './site-client.ts'

interface DeployAnswer {
  site: { name: string; current?: string }
  deploy: { id: string; files: number; bytes: number; spa: boolean }
}

/**
 * A deploy copied from a folder of a bucket (`POST /v1/sites/:site/deploys` with a JSON body): the
 * caller needs read and list on the folder and write on the site; the limits and key rules of
 * archives hold; a refused copy stores nothing.
 */
describe('sites: deploys from a folder of a bucket', () => {
  let h: Harness
  const put = async (key: string, body: string, headers: Record<string, string> = {}) => {
    const path = `/v1/buckets/documents/objects/${key.split('/').map(encodeURIComponent).join('/')}`
    const response = await h.fetch(path, { method: 'PUT', token: h.admin, body, headers })
    expect(response.status).toBe(200)
  }
  const deployFrom = (site: string, body: unknown, token = h.admin) =>
    h.fetch(`/v1/sites/${site}/deploys`, json(body, { token }))
  const siteFiles = async (site: string) =>
    (await h.stored('prototypes')).filter((key) => key.includes(`sites/${site}/`))

  beforeAll(async () => {
    h = await startHarness('sqlite', { siteLimits: { maxEntries: 5, maxTotalBytes: 4096 } })
    await put('builds/v1/index.html', '<!doctype html><title>from a bucket</title>')
    await put('builds/v1/assets/app.js', 'document.title += "!"')
    await put('builds/v1/coffer-site.json', '{"spa": true}')
    await put('builds/v1/empty/', '')
    // A sibling whose name starts like the folder: not part of it.
    await put('builds/v1-old/index.html', 'old')
  })
  afterAll(() => h?.close())

  it('copies the folder into a new live deploy, served on the site', async () => {
    const response = await deployFrom('copied', { bucket: 'documents', prefix: 'builds/v1' })
    expect(response.status).toBe(201)
    const answer = (await response.json()) as DeployAnswer
    expect(answer.deploy).toMatchObject({ files: 3, spa: true })
    expect(answer.site.current).toBe(answer.deploy.id)
    expect(
      (await h.fetch('/v1/sites/copied', json({ public: true }, { method: 'PATCH', token: h.admin }))).status,
    ).toBe(200)
    const home = await siteGet(h.contentUrl, 'copied', '/')
    expect(home.status).toBe(200)
    expect(home.body).toContain('<title>from a bucket</title>')
    expect((await siteGet(h.contentUrl, 'copied', '/assets/app.js')).headers['content-type']).toMatch(
      /javascript/,
    )
    // The deploy asked for the SPA fallback; the sibling folder's file was not copied.
    expect((await siteGet(h.contentUrl, 'copied', '/deep/link')).body).toContain('from a bucket')
    expect(await siteFiles('copied')).not.toContainEqual(expect.stringContaining('v1-old'))
    const audit = await h.fetch('/v1/audit?bucket=prototypes', { token: h.admin })
    const events = ((await audit.json()) as { events: { action: string; detail?: unknown }[] }).events
    expect(events.find((e) => e.action === 'site.deploy')?.detail).toMatchObject({
      site: 'copied',
      from: { bucket: 'documents', prefix: 'builds/v1/' },
    })
    // The source is left as it was.
    expect(
      (await h.fetch('/v1/buckets/documents/objects/builds/v1/index.html', { token: h.admin })).status,
    ).toBe(200)
  })

  it('needs read and list on the folder, and write on the site', async () => {
    const siteOnly = await h.key([{ bucket: 'prototypes', prefix: 'sites/scoped/', permissions: ['write'] }])
    const readOnly = await h.key([
      { bucket: 'prototypes', prefix: 'sites/scoped/', permissions: ['write'] },
      { bucket: 'documents', prefix: 'builds/', permissions: ['read'] },
    ])
    const both = await h.key([
      { bucket: 'prototypes', prefix: 'sites/scoped/', permissions: ['write'] },
      { bucket: 'documents', prefix: 'builds/', permissions: ['read', 'list'] },
    ])
    const source = { bucket: 'documents', prefix: 'builds/v1/' }
    expect((await deployFrom('scoped', source, siteOnly)).status).toBe(403)
    expect((await deployFrom('scoped', source, readOnly)).status).toBe(403)
    expect((await deployFrom('scoped', { bucket: 'documents', prefix: 'other/' }, both)).status).toBe(403)
    expect((await deployFrom('elsewhere', source, both)).status).toBe(403)
    expect(await siteFiles('scoped')).toEqual([])
    expect((await deployFrom('scoped', source, both)).status).toBe(201)
  })

  it.each([
    ['more files than the limit', 'many/', 413],
    ['more bytes than the limit', 'big/', 413],
    ['a key too long for the deploy', 'long/', 400],
    ['an empty folder', 'nothing/', 400],
  ])('refuses %s and stores nothing', async (_, prefix, status) => {
    if (prefix === 'many/') for (let i = 0; i < 6; i++) await put(`many/${i}.html`, 'x')
    if (prefix === 'big/') for (let i = 0; i < 3; i++) await put(`big/${i}.txt`, 'y'.repeat(1500))
    // Under 1024 bytes in the source, over it under `prototypes/sites/<site>/<deploy id>/`.
    if (prefix === 'long/')
      await put(`long/${Array.from({ length: 10 }, () => 'a'.repeat(99)).join('/')}`, 'z')
    const response = await deployFrom('refused', { bucket: 'documents', prefix })
    expect(response.status).toBe(status)
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await siteFiles('refused')).toEqual([])
    expect((await h.fetch('/v1/sites/refused', { token: h.admin })).status).toBe(404)
  })

  it('refuses bodies that name no folder, and a folder holding the site itself', async () => {
    const post = (body: string) =>
      h.fetch('/v1/sites/odd/deploys', {
        method: 'POST',
        token: h.admin,
        headers: { 'content-type': 'application/json' },
        body,
      })
    expect((await post('{"bucket": "documents"')).status).toBe(400)
    expect((await post('null')).status).toBe(400)
    expect((await post('{"bucket": "documents", "prefix": "builds/", "extra": 1}')).status).toBe(400)
    expect((await post(JSON.stringify({ bucket: 'documents', prefix: 'x'.repeat(5000) }))).status).toBe(413)
    expect((await deployFrom('odd', { bucket: 'nosuchbucket', prefix: '' })).status).toBe(404)
    expect((await deployFrom('odd', { bucket: 'documents', prefix: '../x/' })).status).toBe(400)
    expect((await deployFrom('copied', { bucket: 'prototypes', prefix: 'sites/' })).status).toBe(400)
    expect(await siteFiles('odd')).toEqual([])
  })
})
