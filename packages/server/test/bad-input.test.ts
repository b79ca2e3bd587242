import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, rawRequest, startHarness } from './harness.ts'

/** Hostile or broken requests: each is refused with a fitting status and stores nothing. */
describe('bad input', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness('sqlite')
  })
  afterAll(() => h?.close())

  it('refuses a malformed multipart body with 400 and stores nothing', async () => {
    const boundary = 'coffer-boundary'
    const truncated =
      `--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\nbroken.txt\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="broken.txt"\r\n` +
      'Content-Type: text/plain\r\n\r\nthe body never reaches its closing boundary'
    const response = await h.fetch('/v1/buckets/documents/objects', {
      method: 'POST',
      token: h.admin,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: truncated,
    })
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    const noBoundary = await h.fetch('/v1/buckets/documents/objects', {
      method: 'POST',
      token: h.admin,
      headers: { 'content-type': 'multipart/form-data' },
      body: 'x',
    })
    expect(noBoundary.status).toBeGreaterThanOrEqual(400)
    expect(noBoundary.status).toBeLessThan(500)
    expect(await h.stored('documents')).toEqual([])
  })

  it('refuses oversized headers with 431 before any route runs', async () => {
    const huge = 'x'.repeat(64 * 1024)
    const { status } = await rawRequest(
      h.url,
      `PUT /v1/buckets/documents/objects/big-header.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Authorization: Bearer ${h.admin}\r\nX-Padding: ${huge}\r\nContent-Length: 1\r\n` +
        'Connection: close\r\n\r\nx',
    )
    expect(status).toBe(431)
    expect(await h.stored('documents')).toEqual([])
  })

  it('refuses a metadata header set larger than S3 allows with 400', async () => {
    const response = await h.fetch('/v1/buckets/documents/objects/meta.txt', {
      method: 'PUT',
      token: h.admin,
      headers: { 'x-coffer-meta-note': 'n'.repeat(4000) },
      body: 'x',
    })
    expect(response.status).toBe(400)
    expect(await h.stored('documents')).toEqual([])
  })
})
