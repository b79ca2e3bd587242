import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SANDBOX_CSP } from '../src/http/object-headers.ts'
import { type Harness, json, PNG_HEAD, startHarness } from './harness.ts'

/** User bytes live on the content origin; the API origin, which holds credentials, renders none. */
describe('the content origin beside the API origin', () => {
  let h: Harness
  const sign = async (body: Record<string, unknown>) => {
    const response = await h.fetch('/v1/buckets/documents/sign', json(body, { token: h.admin }))
    expect(response.status).toBe(200)
    return ((await response.json()) as { url: string }).url
  }

  beforeAll(async () => {
    h = await startHarness('sqlite')
    const put = (path: string, type: string, body: string | Uint8Array<ArrayBuffer>) =>
      h.fetch(`/v1/buckets/${path}`, {
        method: 'PUT',
        token: h.admin,
        headers: { 'content-type': type },
        body,
      })
    expect((await put('documents/objects/a.pdf', 'application/pdf', '%PDF-1.4 tiny')).status).toBe(200)
    expect((await put('documents/objects/a.txt', 'text/plain', 'plain text')).status).toBe(200)
    // A PNG header alone is no image to strip metadata from (the avatars preset's): these tests are
    // about origins and headers, not pixels.
    const noStrip = json({ stripMetadata: false }, { method: 'PATCH', token: h.admin })
    expect((await h.fetch('/v1/buckets/avatars', noStrip)).status).toBe(200)
    expect((await put('avatars/objects/u1.png', 'image/png', new Uint8Array(PNG_HEAD))).status).toBe(200)
  })
  afterAll(() => h?.close())

  it('answers every object under /v1 as an attachment under the sandbox CSP, whatever its type', async () => {
    for (const path of ['documents/objects/a.pdf', 'documents/objects/a.txt', 'avatars/objects/u1.png']) {
      for (const method of ['GET', 'HEAD']) {
        const response = await h.fetch(`/v1/buckets/${path}`, { method, token: h.admin })
        expect(response.status, `${method} ${path}`).toBe(200)
        expect(response.headers.get('content-disposition'), path).toMatch(/^attachment; filename="/)
        expect(response.headers.get('content-security-policy'), path).toBe(SANDBOX_CSP)
        expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      }
    }
    // A public bucket read anonymously through /v1 too.
    const anonymous = await h.fetch('/v1/buckets/avatars/objects/u1.png')
    expect(anonymous.headers.get('content-disposition')).toMatch(/^attachment;/)
  })

  it('refuses a browser loading an object under /v1 as a script, style, frame or image', async () => {
    for (const dest of ['script', 'style', 'worker', 'iframe', 'image', 'object']) {
      const response = await h.fetch('/v1/buckets/documents/objects/a.txt', {
        token: h.admin,
        headers: { 'sec-fetch-dest': dest },
      })
      expect(response.status, dest).toBe(403)
      expect(response.headers.get('content-type'), dest).toMatch(/^application\/problem\+json/)
    }
    for (const dest of ['empty', 'document']) {
      const response = await h.fetch('/v1/buckets/documents/objects/a.txt', {
        token: h.admin,
        headers: { 'sec-fetch-dest': dest },
      })
      expect(response.status, dest).toBe(200)
    }
  })

  it('serves passive types inline on the content origin, active ones as sandboxed attachments', async () => {
    const image = await fetch(`${h.contentUrl}/public/avatars/u1.png`)
    expect(image.status).toBe(200)
    expect(image.headers.get('content-type')).toBe('image/png')
    expect(image.headers.get('content-disposition')).toBeNull()
    expect(image.headers.get('x-content-type-options')).toBe('nosniff')
    const pdf = await fetch(await sign({ key: 'a.pdf', method: 'GET', expiresIn: 60 }))
    expect(pdf.status).toBe(200)
    expect(pdf.headers.get('content-security-policy')).toBeNull()
    expect(await pdf.text()).toBe('%PDF-1.4 tiny')
    const html = '<!DOCTYPE html><script>alert(document.domain)</script>'
    await h.fetch('/v1/buckets/documents/objects/page.html', { method: 'PUT', token: h.admin, body: html })
    const page = await fetch(await sign({ key: 'page.html', method: 'GET', expiresIn: 60 }))
    expect(page.headers.get('content-type')).toBe('text/html')
    expect(page.headers.get('content-disposition')).toMatch(/^attachment; filename="page.html"/)
    expect(page.headers.get('content-security-policy')).toBe(SANDBOX_CSP)
  })

  it('answers /public, /signed and /render… on the API origin with 308 to the same path and query there', async () => {
    const signed = await sign({ key: 'a.txt', method: 'GET', expiresIn: 60 })
    expect(signed.startsWith(`${h.contentUrl}/signed/documents/a.txt?`)).toBe(true)
    const pathAndQuery = signed.slice(h.contentUrl.length)
    for (const [path, method] of [
      [pathAndQuery, 'GET'],
      [pathAndQuery, 'HEAD'],
      ['/public/avatars/u1.png?download', 'GET'],
      ['/render/avatars/u1.png?variant=thumb', 'GET'],
      ['/render-signed/w%3D20/documents/a.png?X-Coffer-Expires=1', 'GET'],
    ] as const) {
      const moved = await h.fetch(path, { method, redirect: 'manual' })
      expect(moved.status, path).toBe(308)
      expect(moved.headers.get('location')).toBe(h.contentUrl + path)
    }
    // Followed, as browsers and fetch do: the old links keep working.
    expect(await (await fetch(h.url + pathAndQuery)).text()).toBe('plain text')
  })

  it('keeps a signed PUT handed out on the API origin working: 308 keeps the method and the body', async () => {
    const upload = await sign({ key: 'moved.txt', method: 'PUT', expiresIn: 60 })
    const old = h.url + upload.slice(h.contentUrl.length)
    const manual = await fetch(old, { method: 'PUT', body: 'first', redirect: 'manual' })
    expect(manual.status).toBe(308)
    expect(manual.headers.get('location')).toBe(upload)
    const followed = await fetch(old, { method: 'PUT', body: 'through the redirect' })
    expect(followed.status).toBe(200)
    const stored = await h.fetch('/v1/buckets/documents/objects/moved.txt', { token: h.admin })
    expect(await stored.text()).toBe('through the redirect')
  })

  it('has no API, no UI and no credentials on the content origin: problem documents only', async () => {
    for (const path of ['/v1/buckets', '/', '/docs', '/metrics', '/v1/keys']) {
      const response = await fetch(h.contentUrl + path, {
        headers: { authorization: `Bearer ${h.admin}`, accept: 'text/html' },
      })
      expect(response.status, path).toBe(404)
      expect(response.headers.get('content-type'), path).toContain('application/problem+json')
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('set-cookie')).toBeNull()
    }
    // A private bucket is not readable there, credentials or not: only signed URLs open it.
    const private_ = await fetch(`${h.contentUrl}/public/documents/a.txt`, {
      headers: { authorization: `Bearer ${h.admin}` },
    })
    expect(private_.status).toBe(404)
    expect((await fetch(`${h.contentUrl}/healthz`)).status).toBe(200)
  })

  it('counts and logs the requests it serves, with signatures redacted', async () => {
    const signed = await sign({ key: 'a.txt', method: 'GET', expiresIn: 60 })
    await (await fetch(signed)).text()
    const line = h.logs.find((l) => l.includes('"origin":"content"') && l.includes('/signed/documents/a.txt'))
    expect(line).toBeDefined()
    expect(line).toContain('X-Coffer-Signature=[redacted]')
    const metrics = await (await h.fetch('/metrics', { token: h.admin })).text()
    expect(metrics).toMatch(/route="\/signed\/:bucket\/\*",status="200"/)
  })
})
