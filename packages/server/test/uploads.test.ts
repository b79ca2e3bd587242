import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  filesUnder,
  type Harness,
  json,
  PERSISTENCES,
  PNG_HEAD,
  rawRequest,
  startHarness,
  streamOf,
} from './harness.ts'

describe.each(PERSISTENCES)('uploads and safe serving (%s index)', (persistence) => {
  let h: Harness
  const objectUrl = (bucket: string, key: string) => `/v1/buckets/${bucket}/objects/${key}`

  beforeAll(async () => {
    h = await startHarness(persistence)
    const bucket = { name: 'small', maxFileSize: 100_000, allowedTypes: ['image/*', 'text/plain'] }
    expect((await h.fetch('/v1/buckets', json(bucket, { token: h.admin }))).status).toBe(201)
  })
  afterAll(() => h?.close())

  it('stops a streamed upload over the bucket limit with 413 and stores nothing', async () => {
    const response = await h.fetch(objectUrl('small', 'big.png'), {
      method: 'PUT',
      token: h.admin,
      body: streamOf(PNG_HEAD, 1024 * 1024),
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ code: 'TooLarge' })
    expect((await h.fetch(objectUrl('small', 'big.png'), { token: h.admin })).status).toBe(404)
    expect(await filesUnder(h.filesDir)).toEqual([])
  })

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    const response = await h.fetch(objectUrl('avatars', 'u1.png'), {
      method: 'PUT',
      token: h.admin,
      body: Buffer.concat([PNG_HEAD, Buffer.alloc(6 * 1024 * 1024)]),
    })
    expect(response.status).toBe(413)
    expect(await filesUnder(h.filesDir)).toEqual([])
  })

  it('refuses a type the bucket does not allow with 415, whatever type was declared', async () => {
    const html = '<!doctype html><script>alert(1)</script>'
    const response = await h.fetch(objectUrl('avatars', 'evil.png'), {
      method: 'PUT',
      token: h.admin,
      body: html,
      headers: { 'content-type': 'image/png' },
    })
    expect(response.status).toBe(415)
    expect(await response.json()).toMatchObject({ code: 'UnsupportedMediaType', status: 415 })
    expect(await filesUnder(h.filesDir)).toEqual([])
    const png = await h.fetch(objectUrl('avatars', 'ok.png'), {
      method: 'PUT',
      token: h.admin,
      body: PNG_HEAD,
    })
    expect(await png.json()).toMatchObject({ contentType: 'image/png', visibility: 'public' })
  })

  it('creates only with If-None-Match: * (412 when the key exists)', async () => {
    const create = () =>
      h.fetch(objectUrl('documents', 'once.txt'), {
        method: 'PUT',
        token: h.admin,
        body: 'first',
        headers: { 'if-none-match': '*' },
      })
    expect((await create()).status).toBe(200)
    const again = await create()
    expect(again.status).toBe(412)
    expect(await again.json()).toMatchObject({ code: 'PreconditionFailed' })
    const other = await h.fetch(objectUrl('documents', 'once.txt'), {
      method: 'PUT',
      token: h.admin,
      body: 'x',
      headers: { 'if-none-match': '"abc"' },
    })
    expect(other.status).toBe(400)
    expect(await (await h.fetch(objectUrl('documents', 'once.txt'), { token: h.admin })).text()).toBe('first')
  })

  // Client disconnects and invalid keys: objects.test.ts, on every driver.

  it('refuses CR/LF and other control characters in metadata headers, storing nothing', async () => {
    const send = (header: string) =>
      rawRequest(
        h.url,
        `PUT ${objectUrl('documents', 'meta.txt')} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${h.admin}\r\n` +
          `${header}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`,
      )
    const crlf = await send('X-Coffer-Meta-Note: a\rSet-Cookie: evil=1')
    expect(crlf.status).toBe(400)
    expect(crlf.text).not.toMatch(/set-cookie/i)
    const control = await send('X-Coffer-Meta-Note: a\tb')
    expect(control.status).toBe(400)
    expect(control.text).toContain('"code":"InvalidArgument"')
    expect((await h.fetch(objectUrl('documents', 'meta.txt'), { token: h.admin })).status).toBe(404)
  })

  it('serves HTML, SVG and XML as sandboxed attachments with nosniff, even inline', async () => {
    const active = [
      ['page.html', '<!DOCTYPE html><html><script>alert(document.domain)</script></html>', 'text/html'],
      ['logo.svg', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', 'image/svg+xml'],
      ['feed.xml', '<?xml version="1.0"?><feed/>', 'text/xml'],
    ]
    for (const [key, body, type] of active as [string, string, string][]) {
      // Declared as an image, the bytes still decide: HTML is stored as text/html.
      const declared = key.endsWith('.xml') ? 'application/xml' : 'image/png'
      await h.fetch(objectUrl('documents', key), {
        method: 'PUT',
        token: h.admin,
        body,
        headers: { 'content-type': declared },
      })
      const response = await h.fetch(objectUrl('documents', key), { token: h.admin })
      expect(response.headers.get('content-type'), key).toBe(type)
      expect(response.headers.get('content-disposition'), key).toMatch(
        new RegExp(`^attachment; filename="${key}"`),
      )
      expect(response.headers.get('content-security-policy'), key).toContain('sandbox')
      expect(response.headers.get('content-security-policy'), key).toContain("default-src 'none'")
      expect(response.headers.get('x-content-type-options'), key).toBe('nosniff')
    }
    await h.fetch(objectUrl('documents', 'plain.txt'), { method: 'PUT', token: h.admin, body: 'just text' })
    // Passive types are inline on the content origin only; under /v1 every type is an attachment.
    const signed = await h.fetch('/v1/buckets/documents/sign', {
      method: 'POST',
      token: h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'plain.txt', method: 'GET', expiresIn: 60 }),
    })
    const plain = await fetch(((await signed.json()) as { url: string }).url)
    expect(plain.headers.get('content-disposition')).toBeNull()
    expect(plain.headers.get('content-security-policy')).toBeNull()
  })
})
