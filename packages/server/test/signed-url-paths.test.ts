import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, rawRequest, startHarness } from './harness.ts'

/**
 * A signed URL's path as an attacker sends it: with dot segments (`..`, `%2e%2e`) that a URL
 * parser removes but the router does not. `fetch` would remove them before sending, so these go
 * over raw TCP.
 */
describe('signed URLs with dot segments in their path', () => {
  let h: Harness
  let attacker: string

  /** A URL the attacker signs, with its own key, for a key of its own bucket. */
  const signOwn = async (key: string, method: 'GET' | 'PUT') => {
    const response = await h.fetch('/v1/buckets/exports/sign', json({ key, method }, { token: attacker }))
    expect(response.status).toBe(200)
    return new URL(((await response.json()) as { url: string }).url)
  }

  beforeAll(async () => {
    h = await startHarness('sqlite')
    await h.fetch('/v1/buckets/documents/objects/secret.txt', {
      method: 'PUT',
      token: h.admin,
      headers: { 'content-type': 'text/plain' },
      body: 'the secret',
    })
    // May read, write and sign in `exports` only; nothing in `documents`.
    attacker = await h.key([{ bucket: 'exports', permissions: ['read', 'write', 'sign'] }])
  })
  afterAll(() => h?.close())

  // `exports/XX` is as long as `documents`: once the router takes `documents` as the bucket, what
  // remains of the signed key `exports/XXsecret.txt` is `secret.txt`.
  const paths = [
    '/signed/documents/../exports/XXsecret.txt',
    '/signed/documents/%2e%2e/exports/XXsecret.txt',
    '/signed/documents/.%2E/exports/XXsecret.txt',
  ]

  it("never read another bucket's object", async () => {
    const signed = await signOwn('XXsecret.txt', 'GET')
    for (const path of paths) {
      const { status, text } = await rawRequest(
        h.contentUrl,
        `GET ${path}${signed.search} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      )
      expect(text, path).not.toContain('the secret')
      expect(status, path).toBe(403)
    }
  })

  it("never write another bucket's object", async () => {
    const signed = await signOwn('XXsecret.txt', 'PUT')
    for (const path of paths) {
      const { status } = await rawRequest(
        h.contentUrl,
        `PUT ${path}${signed.search} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n` +
          'Content-Length: 5\r\nConnection: close\r\n\r\nOWNED',
      )
      expect(status, path).toBe(403)
    }
    const read = await h.fetch('/v1/buckets/documents/objects/secret.txt', { token: h.admin })
    expect(await read.text()).toBe('the secret')
  })
})
