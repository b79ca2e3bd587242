import { randomBytes } from 'node:crypto'
import { CofferClient } from '@coffer/client'
import ExcelJS from 'exceljs'
import type { FastifyInstance } from 'fastify'
import sharp from 'sharp'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { pdfText } from '../../../packages/exports/test/export-fixture.ts'
import { type Harness, startHarness } from '../../../packages/server/test/harness.ts'
import { siteGet } from '../../../packages/server/test/sites/site-client.ts'
import { buildApp } from '../src/app.ts'

// A real Coffer (in this process, on ephemeral ports, SQLite and the fs driver) that accepts the
// backend's JWTs, and the example backend in front of it, both over real HTTP.
const SECRET = randomBytes(32).toString('hex')
let harness: Harness
let app: FastifyInstance
let backend: string

beforeAll(async () => {
  harness = await startHarness('sqlite', { jwt: { secret: SECRET } })
  const coffer = new CofferClient({ url: harness.url, contentUrl: harness.contentUrl, token: harness.admin })
  app = await buildApp({ coffer, jwtSecret: SECRET })
  backend = await app.listen({ port: 0, host: '127.0.0.1' })
})
afterAll(async () => {
  await app?.close()
  await harness?.close()
})

/** A JSON call to the example backend. */
async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method }
  if (body !== undefined) {
    init.body = JSON.stringify(body)
    init.headers = { 'content-type': 'application/json' }
  }
  const response = await fetch(`${backend}${path}`, init)
  expect(response.status, await response.clone().text()).toBe(200)
  return (await response.json()) as T
}

it('gives the browser a token for its project folder, which uploads straight to Coffer with progress', async () => {
  const grant = await call<{ token: string; prefix: string; cofferUrl: string }>(
    'POST',
    '/projects/42/upload-token',
  )
  expect(grant.prefix).toBe('projects/42/')
  // What the browser does with it: the same client, a File-like Blob, progress as bytes leave.
  const browser = new CofferClient({ url: grant.cofferUrl, token: grant.token })
  const bytes = randomBytes(2 * 1024 * 1024)
  const sent: number[] = []
  const info = await browser.objects.upload('documents', `${grant.prefix}brief.bin`, new Blob([bytes]), {
    onProgress: (bytesSent) => sent.push(bytesSent),
  })
  expect(info.size).toBe(bytes.length)
  expect(sent.at(-1)).toBe(bytes.length)
  expect(sent.length).toBeGreaterThan(1)
  const stored = await harness.fetch('/v1/buckets/documents/objects/projects/42/brief.bin', {
    token: harness.admin,
  })
  expect(Buffer.from(await stored.arrayBuffer()).equals(bytes)).toBe(true)
  // The token is good for its folder only.
  await expect(browser.objects.upload('documents', 'projects/43/brief.bin', 'x')).rejects.toMatchObject({
    code: 'AccessDenied',
  })
  const listed = []
  for await (const object of browser.objects.list('documents', { prefix: grant.prefix }))
    listed.push(object.key)
  expect(listed).toEqual(['projects/42/brief.bin'])
})

it('deploys a generated prototype on its own origin, private behind a preview link or public', async () => {
  const answer = await call<{ url: string; previewUrl: string }>('POST', '/projects/42/prototype', {
    title: 'Pet <Shop>',
  })
  const port = new URL(harness.contentUrl).port
  expect(answer.url).toBe(`http://proto-42.sites.localhost:${port}/`)
  expect((await siteGet(harness.contentUrl, 'proto-42', '/')).status).toBe(403)
  // The preview link sets a cookie for the site's origin; with it the site answers.
  const link = new URL(answer.previewUrl)
  expect(link.host).toBe(`proto-42.sites.localhost:${port}`)
  const opened = await siteGet(harness.contentUrl, 'proto-42', link.pathname + link.search)
  const cookie = String(opened.headers['set-cookie']).split(';')[0] ?? ''
  const home = await siteGet(harness.contentUrl, 'proto-42', '/', { cookie })
  expect(home.status).toBe(200)
  expect(home.headers['content-type']).toMatch(/^text\/html/)
  // The title is the project's text, escaped: it cannot add markup to its prototype.
  expect(home.body).toContain('<h1>Pet &#60;Shop&#62;</h1>')

  await call('POST', '/projects/43/prototype', { title: 'Open demo', public: true })
  const about = await siteGet(harness.contentUrl, 'proto-43', '/about.html')
  expect(about.status).toBe(200)
  expect(about.body).toContain('<h1>About Open demo</h1>')
})

it('turns rows into an XLSX and a PDF whose links open', async () => {
  const rows = [
    { name: 'Ada', score: 3 },
    { name: 'Zoë', score: 4.5 },
  ]
  const links = await call<{ xlsx: string; pdf: string }>('POST', '/projects/42/exports', { rows })
  // The links are signed, on the content origin, and need no credential.
  expect(new URL(links.xlsx).origin).toBe(new URL(harness.contentUrl).origin)
  const xlsx = await fetch(links.xlsx)
  expect(xlsx.status).toBe(200)
  expect(xlsx.headers.get('content-disposition')).toMatch(/attachment; .*project-42-report\.xlsx/)
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load(await xlsx.arrayBuffer())
  const sheet = workbook.worksheets[0]
  expect(sheet?.getRow(2).values).toEqual([undefined, 'Ada', 3])
  expect(sheet?.getRow(3).values).toEqual([undefined, 'Zoë', 4.5])
  const pdf = await fetch(links.pdf)
  expect(pdf.status).toBe(200)
  const text = await pdfText(Buffer.from(await pdf.arrayBuffer()))
  expect(text).toContain('Project 42')
  expect(text).toMatch(/Zoë\s+4\.5/)
})

it('takes an avatar and answers variant URLs that decode as images of their size', async () => {
  const picture = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#c33' } })
    .png()
    .toBuffer()
  const response = await fetch(`${backend}/users/7/avatar`, {
    method: 'PUT',
    headers: { 'content-type': 'image/png' },
    body: picture,
  })
  expect(response.status).toBe(200)
  const { url, variants } = (await response.json()) as { url: string; variants: Record<string, string> }
  // Every variant of the bucket's policy (`w=64,h=64`, …), each at its size.
  const policy = await harness.fetch('/v1/buckets/avatars', { token: harness.admin })
  const specs = ((await policy.json()) as { variants: Record<string, string> }).variants
  expect(Object.keys(variants).sort()).toEqual(Object.keys(specs).sort())
  expect(Object.keys(variants).length).toBeGreaterThan(0)
  for (const [name, spec] of Object.entries(specs)) {
    const side = Number(/w=(\d+)/.exec(spec)?.[1])
    const render = await fetch(variants[name] ?? '', { headers: { accept: 'image/webp,image/png' } })
    expect(render.status).toBe(200)
    expect(render.headers.get('content-type')).toMatch(/^image\//)
    const meta = await sharp(Buffer.from(await render.arrayBuffer())).metadata()
    expect([meta.width, meta.height]).toEqual([side, side])
  }
  const original = await fetch(url)
  expect(original.status).toBe(200)
  expect((await sharp(Buffer.from(await original.arrayBuffer())).metadata()).width).toBe(400)
})
