import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from './harness.ts'

/**
 * A writer stores `Cache-Control: public, max-age=…` for the content origin (a CDN in front of signed
 * and public URLs). Sent as it is on the API origin, it tells a shared cache there (RFC 9111 §3.5:
 * `public` lets one store a response to a request with Authorization) to keep a private object and
 * hand it to whoever asks that URL next, credentials or not. API answers are for one credential.
 */
describe('Cache-Control of private objects on the API origin (fs driver, sqlite)', () => {
  let h: Harness
  const path = '/v1/buckets/documents/objects/reports/q3.txt'
  const stored = 'public, max-age=31536000, immutable'

  beforeAll(async () => {
    h = await startHarness('sqlite')
    const put = await h.fetch(path, {
      method: 'PUT',
      token: h.admin,
      headers: { 'content-type': 'text/plain', 'cache-control': stored },
      body: 'confidential',
    })
    expect(put.status).toBe(200)
  })
  afterAll(() => h?.close())

  it('is private for every answer with the object, its stored value in x-coffer-cache-control', async () => {
    const get = await h.fetch(path, { token: h.admin })
    const etag = get.headers.get('etag') as string
    const head = await h.fetch(path, { method: 'HEAD', token: h.admin })
    const notModified = await h.fetch(path, { token: h.admin, headers: { 'if-none-match': etag } })
    expect(notModified.status).toBe(304)
    for (const response of [get, head, notModified]) {
      expect(response.headers.get('cache-control'), String(response.status)).toBe('private')
      expect(response.headers.get('x-coffer-cache-control')).toBe(stored)
    }
  })

  it('is private on a signed URL and no fresher than the URL, which may die before the stored age', async () => {
    const signed = await h.fetch(
      '/v1/buckets/documents/sign',
      json({ key: 'reports/q3.txt', method: 'GET', expiresIn: 600 }, { token: h.admin }),
    )
    const { url } = (await signed.json()) as { url: string }
    const get = await fetch(url)
    const etag = get.headers.get('etag') as string
    const notModified = await fetch(url, { headers: { 'if-none-match': etag } })
    expect(notModified.status).toBe(304)
    for (const response of [get, notModified, await fetch(url, { method: 'HEAD' })]) {
      const age = /^private, max-age=(\d+)$/.exec(response.headers.get('cache-control') ?? '')?.[1]
      expect(Number(age), String(response.status)).toBeGreaterThan(500)
      expect(Number(age)).toBeLessThanOrEqual(600)
    }
  })

  it('is sent as stored on a public URL, which the writer set it for', async () => {
    const bucket = await h.fetch('/v1/buckets', json({ name: 'cdn', public: true }, { token: h.admin }))
    expect(bucket.status).toBe(201)
    const put = await h.fetch('/v1/buckets/cdn/objects/logo.txt', {
      method: 'PUT',
      token: h.admin,
      headers: { 'content-type': 'text/plain', 'cache-control': stored },
      body: 'logo',
    })
    expect(put.status).toBe(200)
    expect((await fetch(`${h.contentUrl}/public/cdn/logo.txt`)).headers.get('cache-control')).toBe(stored)
  })
})
