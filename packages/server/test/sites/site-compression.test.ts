import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from '../harness.ts'
import { zipOf } from './archives.ts'
import { siteGet } from './site-client.ts'

const SCRIPT = Array.from({ length: 4000 }, (_, i) => `export const value${i} = ${i * 7} // line ${i}`).join(
  '\n',
)
const PAGE = `<!doctype html><title>cached</title><pre>${'a compressible page\n'.repeat(500)}</pre>`

/** The metric of compressed site answers, by coding and result, read from `/metrics`. */
async function compressions(h: Harness, coding: string, result: string): Promise<number> {
  const text = await (await h.fetch('/metrics', { token: h.admin })).text()
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`coffer_site_compression_total{coding="${coding}",result="${result}"}`))
  return line === undefined ? 0 : Number(line.split(' ').at(-1))
}

/** The compressed copies the variant cache holds, as keys of the store. */
async function cachedCopies(h: Harness): Promise<string[]> {
  const listed = await h.storage.listObjects({ prefix: '.coffer/renders/prototypes/' })
  return listed.objects.map((o) => o.key)
}

/** Waits (at most 5 s) until the cache holds `count` copies: a copy is stored as its answer ends. */
async function untilCached(h: Harness, count: number): Promise<string[]> {
  for (let tries = 0; tries < 100; tries++) {
    const rows = await h.db.selectFrom('renders').select('id').where('bucket', '=', 'prototypes').execute()
    if (rows.length >= count) return cachedCopies(h)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`the cache never held ${count} compressed copies`)
}

/**
 * Deploys' files are compressed once per coding and kept in the variant cache: the next answer
 * comes from there, with its length known, the same bytes and the same per-coding ETag; ranges and
 * clients without a coding get the stored bytes; deleting the deploy drops its copies.
 */
describe('sites: compressed files cached once computed', () => {
  let h: Harness
  let deployId: string
  const path = '/assets/app.5e1f9a07.js'

  beforeAll(async () => {
    h = await startHarness('sqlite')
    const archive = await zipOf([
      { name: 'index.html', data: PAGE },
      { name: path.slice(1), data: SCRIPT },
    ])
    const response = await h.fetch('/v1/sites/packed/deploys', {
      method: 'POST',
      token: h.admin,
      headers: { 'content-type': 'application/zip' },
      body: new Uint8Array(archive),
    })
    expect(response.status).toBe(201)
    deployId = ((await response.json()) as { deploy: { id: string } }).deploy.id
    await h.fetch('/v1/sites/packed', json({ public: true }, { method: 'PATCH', token: h.admin }))
  })
  afterAll(() => h?.close())

  it('serves the second request for a coding from the cache, byte for byte the same', async () => {
    const first = await siteGet(h.contentUrl, 'packed', path, { 'accept-encoding': 'br' })
    expect(first.status).toBe(200)
    expect(first.headers['content-encoding']).toBe('br')
    expect(first.headers.vary).toBe('Accept-Encoding')
    expect(brotliDecompressSync(first.bytes).toString()).toBe(SCRIPT)
    expect(await compressions(h, 'br', 'miss')).toBe(1)
    expect(await untilCached(h, 1)).toHaveLength(1)

    const second = await siteGet(h.contentUrl, 'packed', path, { 'accept-encoding': 'br' })
    expect(await compressions(h, 'br', 'hit')).toBe(1)
    expect(await compressions(h, 'br', 'miss')).toBe(1)
    expect(second.headers['content-encoding']).toBe('br')
    expect(second.headers['content-length']).toBe(String(second.bytes.byteLength))
    expect(second.bytes.equals(first.bytes)).toBe(true)
    expect(second.headers.etag).toBe(first.headers.etag)
    expect(second.headers['cache-control']).toBe('public, max-age=31536000, immutable')

    const gzip = await siteGet(h.contentUrl, 'packed', path, { 'accept-encoding': 'gzip' })
    expect(gunzipSync(gzip.bytes).toString()).toBe(SCRIPT)
    expect(gzip.headers.etag).not.toBe(first.headers.etag)
    expect(await untilCached(h, 2)).toHaveLength(2)
    const gzipAgain = await siteGet(h.contentUrl, 'packed', path, { 'accept-encoding': 'gzip' })
    expect(gzipAgain.bytes.equals(gzip.bytes)).toBe(true)
    expect(await compressions(h, 'gzip', 'hit')).toBe(1)
  })

  it('answers ranges and clients without a coding with the stored bytes, and 304 per coding', async () => {
    const identity = await siteGet(h.contentUrl, 'packed', path)
    expect(identity.headers['content-encoding']).toBeUndefined()
    expect(identity.body).toBe(SCRIPT)
    const part = await siteGet(h.contentUrl, 'packed', path, {
      'accept-encoding': 'br',
      range: 'bytes=10-29',
    })
    expect(part.status).toBe(206)
    expect(part.headers['content-encoding']).toBeUndefined()
    expect(part.body).toBe(SCRIPT.slice(10, 30))
    const br = await siteGet(h.contentUrl, 'packed', path, { 'accept-encoding': 'br' })
    const again = await siteGet(h.contentUrl, 'packed', path, {
      'accept-encoding': 'br',
      'if-none-match': br.headers.etag as string,
    })
    expect(again.status).toBe(304)
    expect(again.headers.etag).toBe(br.headers.etag)
    // An identity validator is not a brotli one: the representations differ.
    expect(identity.headers.etag).not.toBe(br.headers.etag)
  })

  it('drops the copies of a deploy that is deleted', async () => {
    await siteGet(h.contentUrl, 'packed', '/', { 'accept-encoding': 'br' })
    expect(await untilCached(h, 3)).toHaveLength(3)
    const next = await h.fetch('/v1/sites/packed/deploys', {
      method: 'POST',
      token: h.admin,
      headers: { 'content-type': 'application/zip' },
      body: new Uint8Array(await zipOf([{ name: 'index.html', data: 'next' }])),
    })
    expect(next.status).toBe(201)
    const removed = await h.fetch(`/v1/sites/packed/deploys/${deployId}`, {
      method: 'DELETE',
      token: h.admin,
    })
    expect(removed.status).toBe(204)
    expect(await cachedCopies(h)).toEqual([])
  })

  it('never keeps a copy cut short by a client that goes away', async () => {
    // Random text compresses little: the answer is long enough to be cut in the middle.
    const big = randomBytes(3 * 1024 * 1024).toString('base64')
    const deployed = await h.fetch('/v1/sites/cut/deploys', {
      method: 'POST',
      token: h.admin,
      headers: { 'content-type': 'application/zip' },
      body: new Uint8Array(await zipOf([{ name: 'big.txt', data: big }])),
    })
    expect(deployed.status).toBe(201)
    await h.fetch('/v1/sites/cut', json({ public: true }, { method: 'PATCH', token: h.admin }))
    const { hostname, port } = new URL(h.contentUrl)
    await new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: hostname,
          port,
          path: '/big.txt',
          headers: { host: `cut.sites.localhost:${port}`, 'accept-encoding': 'gzip' },
        },
        (res) => {
          res.once('data', () => {
            req.destroy()
            resolve()
          })
        },
      )
      req.on('error', () => undefined)
      req.once('error', reject)
      req.end()
    })
    // Whatever the cache kept of that answer (nothing, or a whole copy), what it serves is whole:
    // asked until an answer comes from the cache (it has a length), each checked.
    const served: string[] = []
    await expect
      .poll(async () => {
        const answer = await siteGet(h.contentUrl, 'cut', '/big.txt', { 'accept-encoding': 'gzip' })
        served.push(gunzipSync(answer.bytes).toString())
        return answer.headers['content-length'] !== undefined
      })
      .toBe(true)
    expect(served.every((text) => text === big)).toBe(true)
  })
})
