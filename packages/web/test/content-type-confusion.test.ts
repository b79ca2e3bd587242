import { IngestStream, normalizeKey } from '@coffer/core'
import type { Browser, BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from '../../server/test/harness.ts'
import { launchChromium } from './chromium.ts'

/** Where Coffer serves user bytes (`/public`, `/signed`): the content origin. */
const contentBase = (h: Harness) => h.contentUrl

/** The script every attack tries to run; the marker is built at run time, so no source text holds it. */
const payload = (name: string) =>
  `hi <img src=x onerror="console.log(['XSS', '${name}'].join(':'))">` +
  `<script>console.log(['XSS', '${name}', 'script'].join(':'))</script>`

/** tus's Upload-Metadata: comma-separated `name base64(value)` pairs. */
const tusMetadata = (meta: Record<string, string>) =>
  Object.entries(meta)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',')

// Issue 15, F1: Coffer read a Content-Type up to its first `;`, Chromium (Fetch's "extract a MIME
// type") keeps the last valid type of a comma-separated list. A key that may only write
// `avatars/u1/` could so plant HTML that passed `allowedTypes: ['image/*']` and ran on Coffer's origin.
describe('a type list declared to pass as an image, opened in Chromium', () => {
  let h: Harness
  let browser: Browser
  let context: BrowserContext
  /** The attacker: read, write and sign under `avatars/u1/` only. */
  let attacker: string

  beforeAll(async () => {
    h = await startHarness('sqlite')
    attacker = await h.key([{ bucket: 'avatars', prefix: 'u1/', permissions: ['read', 'write', 'sign'] }])
    browser = await launchChromium()
    context = await browser.newContext()
  })
  afterAll(async () => {
    await browser?.close()
    await h?.close()
  })

  /** Console messages carrying an `XSS` marker while Chromium opens `url` (a download is not a page). */
  async function scriptsRunOpening(url: string): Promise<string[]> {
    const page = await context.newPage()
    const ran: string[] = []
    page.on('console', (message) => {
      if (message.text().startsWith('XSS:')) ran.push(message.text())
    })
    page.on('dialog', (dialog) => {
      ran.push(`dialog: ${dialog.message()}`)
      void dialog.dismiss()
    })
    // `load` waits for the image whose error handler is the payload, so it has run by then.
    await page.goto(url, { waitUntil: 'load' }).catch((error: Error) => {
      if (!/ERR_ABORTED|Download is starting/.test(error.message)) throw error
    })
    await page.close()
    return ran
  }

  /** The attack's upload is refused with 400, or what landed runs no script when opened. */
  async function expectHarmless(response: Response, url: () => Promise<string>): Promise<void> {
    if (response.status === 400) {
      expect(((await response.json()) as { code: string }).code).toBe('InvalidArgument')
      return
    }
    expect(response.status, await response.clone().text()).toBeLessThan(300)
    expect(await scriptsRunOpening(await url())).toEqual([])
  }

  it('detects a script that runs (the check itself can fail)', async () => {
    const page = await context.newPage()
    const ran: string[] = []
    page.on('console', (message) => ran.push(message.text()))
    await page.setContent(payload('control'), { waitUntil: 'load' })
    await expect.poll(() => ran).toContain('XSS:control')
    await page.close()
  })

  it('raw PUT: refused, or served so that it does not run', async () => {
    const response = await h.fetch('/v1/buckets/avatars/objects/u1/pic.png', {
      method: 'PUT',
      token: attacker,
      headers: { 'content-type': 'image/png;,text/html' },
      body: payload('raw'),
    })
    await expectHarmless(response, async () => `${contentBase(h)}/public/avatars/u1/pic.png`)
  })

  it('signed GET pinning a type list inline: refused, or served so that it does not run', async () => {
    const put = await h.fetch('/v1/buckets/avatars/objects/u1/shared.png', {
      method: 'PUT',
      token: attacker,
      headers: { 'content-type': 'image/png' },
      body: payload('signed'),
    })
    expect(put.status).toBe(200)
    const signed = await h.fetch(
      '/v1/buckets/avatars/sign',
      json(
        {
          key: 'u1/shared.png',
          method: 'GET',
          expiresIn: 600,
          contentType: 'text/plain;,text/html',
          contentDisposition: 'inline',
        },
        { token: attacker },
      ),
    )
    await expectHarmless(signed, async () => ((await signed.json()) as { url: string }).url)
  })

  it('tus contentType metadata: refused, or served so that it does not run', async () => {
    const body = Buffer.from(payload('tus'))
    const created = await h.fetch('/v1/uploads', {
      method: 'POST',
      token: attacker,
      headers: {
        'tus-resumable': '1.0.0',
        'upload-length': String(body.length),
        'upload-metadata': tusMetadata({
          bucket: 'avatars',
          key: 'u1/tus.png',
          contentType: 'image/png;,text/html',
        }),
      },
    })
    if (created.status !== 201) return expectHarmless(created, async () => '')
    const location = new URL(created.headers.get('location') ?? '', h.url)
    const patched = await h.fetch(location.pathname, {
      method: 'PATCH',
      token: attacker,
      headers: {
        'tus-resumable': '1.0.0',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
      },
      body,
    })
    await expectHarmless(patched, async () => `${contentBase(h)}/public/avatars/u1/tus.png`)
  })

  it('form part type: refused, or served so that it does not run', async () => {
    // Busboy unquotes a quoted part type: Coffer saw `image/png;,text/html`.
    const boundary = 'coffer-f1'
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\nu1/form.png\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="form.png"\r\n` +
      `Content-Type: "image/png;,text/html"\r\n\r\n${payload('form')}\r\n--${boundary}--\r\n`
    const response = await h.fetch('/v1/buckets/avatars/objects', {
      method: 'POST',
      token: attacker,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    })
    await expectHarmless(response, async () => `${contentBase(h)}/public/avatars/u1/form.png`)
  })

  it("a type list stored behind Coffer's back: served so that it does not run", async () => {
    // Older data, or an object written to the S3 bucket directly, is not checked by any upload.
    const body = new IngestStream()
    body.end(payload('stored'))
    await h.storage.driver.put(normalizeKey('avatars/u1/legacy.png'), body, {
      contentType: 'image/png;,text/html',
      contentDisposition: 'inline',
      metadata: {},
      visibility: 'public',
    })
    const url = `${contentBase(h)}/public/avatars/u1/legacy.png`
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200)
    expect(await scriptsRunOpening(url)).toEqual([])
  })
})
