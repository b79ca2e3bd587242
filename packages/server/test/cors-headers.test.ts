import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from './harness.ts'

const APP = 'https://app.example.com'
const SERVICE = 'https://admin.example.com'

/** A browser's preflight: OPTIONS with the origin, the method and the headers it will send. */
function preflight(url: string, origin: string, method: string, headers = 'authorization') {
  return fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  })
}

describe('CORS answers', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness('sqlite', { corsOrigins: [SERVICE] })
    const cors = { origins: [APP], methods: ['GET', 'PUT'], maxAge: 120 }
    expect(
      (await h.fetch('/v1/buckets/documents', json({ cors }, { method: 'PATCH', token: h.admin }))).status,
    ).toBe(200)
  })
  afterAll(() => h?.close())

  it("answers a preflight from a bucket's origin with its methods, never with credentials, varying on Origin", async () => {
    const answer = await preflight(`${h.contentUrl}/signed/documents/a.png`, APP, 'PUT', 'content-type')
    expect(answer.status).toBe(204)
    expect(answer.headers.get('access-control-allow-origin')).toBe(APP)
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET, PUT')
    expect(answer.headers.get('access-control-allow-headers')).toBe('content-type')
    expect(answer.headers.get('access-control-max-age')).toBe('120')
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull()
    expect(answer.headers.get('vary')).toMatch(/Origin/)
    const api = await preflight(`${h.url}/v1/buckets/documents/objects/a.txt`, APP, 'DELETE')
    expect(api.headers.get('access-control-allow-methods')).toBe('GET, PUT')
  })

  it('allows nothing by default: other origins, other buckets, paths outside /v1', async () => {
    const cases = [
      [`${h.contentUrl}/signed/documents/a.png`, 'https://evil.example'],
      [`${h.contentUrl}/public/avatars/a.png`, APP], // avatars has no rule, and the service's is not APP
      [`${h.url}/v1/keys`, 'https://evil.example'],
      [`${h.url}/`, APP],
    ] as const
    for (const [url, origin] of cases) {
      const answer = await preflight(url, origin, 'GET')
      expect(answer.headers.get('access-control-allow-origin'), url).toBeNull()
      expect(answer.headers.get('vary'), url).toMatch(/Origin/)
    }
  })

  it("uses the service's origins where a bucket names none, and any allowed origin on /v1/uploads", async () => {
    const avatars = await fetch(`${h.contentUrl}/public/avatars/none.png`, { headers: { origin: SERVICE } })
    expect(avatars.status).toBe(404)
    expect(avatars.headers.get('access-control-allow-origin')).toBe(SERVICE) // the page reads the problem
    for (const origin of [APP, SERVICE]) {
      const tus = await preflight(`${h.url}/v1/uploads`, origin, 'POST', 'tus-resumable,upload-length')
      expect(tus.headers.get('access-control-allow-origin')).toBe(origin)
    }
    const created = await h.fetch('/v1/uploads', {
      method: 'POST',
      token: h.admin,
      headers: {
        origin: APP,
        'tus-resumable': '1.0.0',
        'upload-length': '3',
        'upload-metadata': `bucket ${btoa('documents')},key ${btoa('t.txt')}`,
      },
    })
    expect(created.status).toBe(201)
    expect(created.headers.get('access-control-allow-origin')).toBe(APP)
    const exposed = created.headers.get('access-control-expose-headers') ?? ''
    for (const name of ['Location', 'Upload-Offset', 'Upload-Length', 'Tus-Resumable'])
      expect(exposed).toContain(name)
    // tus's discovery (a plain OPTIONS, no preflight) still reaches tus.
    const discovery = await fetch(`${h.url}/v1/uploads`, { method: 'OPTIONS', headers: { origin: APP } })
    expect(discovery.headers.get('tus-version')).toBe('1.0.0')
  })

  it("answers renders by their bucket's rule: /render, and /render-signed after its transform", async () => {
    const signed = await h.fetch(
      '/v1/buckets/documents/sign',
      json(
        { key: 'photos/a.png', method: 'GET', transform: 'w=20,h=20' },
        { method: 'POST', token: h.admin },
      ),
    )
    const { url } = (await signed.json()) as { url: string }
    expect(new URL(url).pathname).toMatch(/^\/render-signed\/[^/]+\/documents\/photos\/a\.png$/)
    for (const target of [url, `${h.contentUrl}/render/documents/photos/a.png?w=20`]) {
      const allowed = await preflight(target, APP, 'GET')
      expect(allowed.headers.get('access-control-allow-origin'), target).toBe(APP)
      expect(allowed.headers.get('access-control-allow-methods'), target).toBe('GET')
      const refused = await preflight(target, 'https://evil.example', 'GET')
      expect(refused.headers.get('access-control-allow-origin'), target).toBeNull()
    }
    // The answer itself (here the object is missing) carries the header a page needs to read it.
    const answer = await fetch(url, { headers: { origin: APP } })
    expect(answer.headers.get('access-control-allow-origin')).toBe(APP)
  })

  it('refuses a rule that could never match, and clears it with null', async () => {
    const bad = await h.fetch(
      '/v1/buckets/exports',
      json({ cors: { origins: ['https://app.example.com/path'] } }, { method: 'PATCH', token: h.admin }),
    )
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/is not an origin/)
    const cleared = await h.fetch(
      '/v1/buckets/documents',
      json({ cors: null }, { method: 'PATCH', token: h.admin }),
    )
    expect(((await cleared.json()) as { cors?: unknown }).cors).toBeUndefined()
    const answer = await preflight(`${h.contentUrl}/signed/documents/a.png`, APP, 'PUT')
    expect(answer.headers.get('access-control-allow-origin')).toBeNull()
  })
})
