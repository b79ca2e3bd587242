import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../../web/test/chromium.ts'
import { type Harness, json, PNG_HEAD, startHarness } from './harness.ts'

/** tus-js-client's browser build, served by the app's origin as an app would bundle it. */
const TUS_JS = readFileSync(createRequire(import.meta.url).resolve('tus-js-client/dist/tus.min.js'))
const AVATAR = Buffer.concat([PNG_HEAD, Buffer.alloc(2000, 1)])

/** A browser app's origin: a page and tus-js-client, nothing of Coffer's. */
function appServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    if (request.url === '/tus.min.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' })
      return response.end(TUS_JS)
    }
    response.writeHead(200, { 'content-type': 'text/html' })
    response.end('<!doctype html><title>app</title><script src="/tus.min.js"></script>')
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port }),
    ),
  )
}

/** What the page's calls came to: a status, or the error a refused CORS request throws. */
type Outcome = { status: number; etag?: string | null; bytes?: number } | { error: string }

describe('browser apps on another origin (CORS)', () => {
  let h: Harness
  let app: { server: Server; port: number }
  let browser: Browser
  let allowed: string
  let page: Page
  let token: string

  beforeAll(async () => {
    app = await appServer()
    allowed = `http://127.0.0.1:${app.port}`
    // The service default lets no origin in; each bucket names its own.
    h = await startHarness('sqlite')
    for (const bucket of ['avatars', 'documents']) {
      // The avatar is a PNG header and filler: stripping its metadata (the avatars preset's) would
      // refuse it as no image (422); this test is about origins, not pixels.
      const patch = {
        cors: { origins: [allowed], maxAge: 60 },
        ...(bucket === 'avatars' ? { stripMetadata: false } : {}),
      }
      const response = await h.fetch(
        `/v1/buckets/${bucket}`,
        json(patch, { method: 'PATCH', token: h.admin }),
      )
      expect(response.status).toBe(200)
    }
    token = await h.key([{ bucket: 'documents', prefix: 'uploads/', permissions: ['write', 'read'] }])
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await h?.close()
    await new Promise((resolve) => app?.server.close(resolve))
  })

  /** Opens the app's page on `origin` (127.0.0.1 is allowed; localhost, the same server, is not). */
  async function open(origin: string): Promise<Page> {
    page = await browser.newPage()
    await page.goto(`${origin}/`)
    return page
  }

  async function signedPut(key: string): Promise<string> {
    const body = { key, method: 'PUT', expiresIn: 300, contentType: 'image/png' }
    const response = await h.fetch('/v1/buckets/avatars/sign', json(body, { token: h.admin }))
    return ((await response.json()) as { url: string }).url
  }

  /** In the page: PUTs the avatar to a signed URL with fetch (a preflighted request: its type is not simple). */
  const putAvatar = (url: string, bytes: number[]) =>
    page.evaluate(
      async ({ url, bytes }): Promise<Outcome> => {
        try {
          const response = await fetch(url, {
            method: 'PUT',
            headers: { 'content-type': 'image/png' },
            body: new Uint8Array(bytes),
          })
          return { status: response.status, etag: response.headers.get('etag') }
        } catch (error) {
          return { error: String(error) }
        }
      },
      { url, bytes },
    )

  /** In the page: a tus upload with tus-js-client and a bearer token, as an app gives a user's JWT. */
  const tusUpload = (endpoint: string, bearer: string) =>
    page.evaluate(
      ({ endpoint, bearer }) =>
        new Promise<Outcome>((resolve) => {
          const tus = (globalThis as unknown as { tus: typeof import('tus-js-client') }).tus
          const file = new Blob([new Uint8Array(300_000).fill(42)], { type: 'application/octet-stream' })
          const upload = new tus.Upload(file, {
            endpoint,
            headers: { authorization: `Bearer ${bearer}` },
            metadata: { bucket: 'documents', key: 'uploads/from-browser.bin' },
            chunkSize: 100_000,
            retryDelays: [],
            onError: (error) => resolve({ error: String(error) }),
            onSuccess: () => resolve({ status: 204 }),
          })
          upload.start()
        }),
      { endpoint, bearer },
    )

  const fetchImage = (url: string) =>
    page.evaluate(async (url): Promise<Outcome> => {
      try {
        const response = await fetch(url)
        return { status: response.status, bytes: (await response.arrayBuffer()).byteLength }
      } catch (error) {
        return { error: String(error) }
      }
    }, url)

  it('lets an allowed origin upload an avatar to a signed URL, upload over tus, and fetch a public image', async () => {
    await open(allowed)
    const put = await putAvatar(await signedPut('users/ana.png'), [...AVATAR])
    expect(put).toEqual({ status: 200, etag: expect.stringMatching(/^"/) })
    const stored = await h.fetch('/v1/buckets/avatars/objects/users/ana.png', { token: h.admin })
    expect(Buffer.from(await stored.arrayBuffer())).toEqual(AVATAR)

    expect(await tusUpload(`${h.url}/v1/uploads`, token)).toMatchObject({ status: 204 })
    const uploaded = await h.fetch('/v1/buckets/documents/objects/uploads/from-browser.bin', {
      token: h.admin,
    })
    expect((await uploaded.arrayBuffer()).byteLength).toBe(300_000)

    expect(await fetchImage(`${h.contentUrl}/public/avatars/users/ana.png`)).toEqual({
      status: 200,
      bytes: AVATAR.length,
    })
  })

  it('refuses an origin that is not in the list, and stores nothing from it', async () => {
    await open(`http://localhost:${app.port}`)
    const put = await putAvatar(await signedPut('users/eve.png'), [...AVATAR])
    expect(put).toEqual({ error: expect.stringMatching(/Failed to fetch/) })
    expect((await h.fetch('/v1/buckets/avatars/objects/users/eve.png', { token: h.admin })).status).toBe(404)
    expect(await tusUpload(`${h.url}/v1/uploads`, token)).toEqual({ error: expect.stringMatching(/tus: /) })
    expect(await fetchImage(`${h.contentUrl}/public/avatars/users/ana.png`)).toEqual({
      error: expect.stringMatching(/Failed to fetch/),
    })
  })
})
