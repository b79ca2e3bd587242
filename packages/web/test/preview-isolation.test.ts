import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from '../../server/test/harness.ts'
import { ensureWebBuilt, launchChromium } from './chromium.ts'

/**
 * What the planted script does wherever it runs: mark the page's sessionStorage, then mint an admin
 * key with the token it finds there, synchronously, so that it is done before its frame's `load`.
 */
const PLANTED_SCRIPT = `
  const token = sessionStorage.getItem('coffer.token')
  sessionStorage.setItem('coffer.planted', location.origin)
  const xhr = new XMLHttpRequest()
  xhr.open('POST', location.origin + '/v1/keys', false)
  xhr.setRequestHeader('authorization', 'Bearer ' + token)
  xhr.setRequestHeader('content-type', 'application/json')
  xhr.send(JSON.stringify({ name: 'backdoor', scopes: [{ bucket: '*', permissions: ['admin'] }] }))
`

/** A one-page PDF with a line of text, its cross-reference table at the right offsets. */
function minimalPdf(): string {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    '<< /Length 39 >>\nstream\nBT /F1 18 Tf 20 70 Td (Quarterly) Tj ET\nendstream',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]
  let pdf = '%PDF-1.4\n'
  const offsets = objects.map((body, i) => {
    const offset = pdf.length
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`
    return offset
  })
  const xref = pdf.length
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`
  return `${pdf}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
}

/** F2: a tenant's file previewed by an admin in the web UI must never run where the UI's key lives. */
describe("the web UI's previews, against a tenant's planted files", () => {
  let h: Harness
  let browser: Browser
  let page: Page
  let tenant: string

  const keyNames = async () => {
    const response = await h.fetch('/v1/keys', { token: h.admin })
    return ((await response.json()) as { keys: { name: string }[] }).keys.map((k) => k.name)
  }
  const openPreview = async (name: string) => {
    await page.goto(`${h.url}/b/documents/tenants/t1/`)
    await page.locator('.rows-inner [role="row"]', { hasText: name }).getByRole('button').click()
  }
  /** The class of the preview shown, once one is: a frame, an image, text, or a line saying there is none. */
  const previewShown = async () => {
    const shown = page.locator('.preview, .preview-none').filter({ hasNotText: 'Loading preview' })
    await shown.waitFor({ state: 'attached' })
    return (await shown.getAttribute('class')) ?? ''
  }
  /** The PDF frame: a signed URL on the content origin pinned to application/pdf, loaded. */
  const expectPinnedFrame = async (name: string) => {
    const frame = await page.waitForSelector('iframe.preview-pdf', { state: 'attached' })
    const src = (await frame.getAttribute('src')) ?? ''
    expect(src.startsWith(`${h.contentUrl}/signed/documents/tenants/t1/${name}?`)).toBe(true)
    expect(new URL(src).searchParams.get('X-Coffer-Content-Type')).toBe('application/pdf')
    // Chromium shows no PDF in a sandboxed frame; the content origin holds nothing to protect.
    expect(await frame.getAttribute('sandbox')).toBeNull()
    await (await frame.contentFrame())?.waitForLoadState('load')
  }
  const put = (path: string, body: string, type: string, token = tenant) =>
    h.fetch(`/v1/buckets/${path}`, { method: 'PUT', token, headers: { 'content-type': type }, body })

  beforeAll(async () => {
    ensureWebBuilt()
    h = await startHarness('sqlite')
    // A tenant that may only read, write and share under its own folder.
    tenant = await h.key([
      { bucket: 'documents', prefix: 'tenants/t1/', permissions: ['read', 'write', 'sign'] },
    ])
    browser = await launchChromium()
    page = await (await browser.newContext()).newPage()
    await page.goto(h.url)
    await page.getByLabel('API key').fill(h.admin)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'documents' }).waitFor()
  })
  afterAll(async () => {
    await browser?.close()
    await h?.close()
  })

  it('shows a "report.pdf" that is HTML loading a signed script without running it beside the key', async () => {
    expect((await put('documents/objects/tenants/t1/x.js', PLANTED_SCRIPT, 'text/javascript')).status).toBe(
      200,
    )
    const signed = await h.fetch('/v1/buckets/documents/sign', {
      method: 'POST',
      token: tenant,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'tenants/t1/x.js', method: 'GET', expiresIn: 3600 }),
    })
    const { url: scriptUrl } = (await signed.json()) as { url: string }
    // HTML declared as a PDF the way browsers read a type list: the last valid type wins.
    const page_ = `Quarterly report, Q3\n<script src="${scriptUrl}"></script>`
    const planted = await put('documents/objects/tenants/t1/report.pdf', page_, 'application/pdf;,text/html')
    // Refused outright where Content-Type lists are parsed strictly (F1); the preview must hold either way.
    expect([200, 400]).toContain(planted.status)
    if (planted.status === 400) {
      expect((await put('documents/objects/tenants/t1/report.pdf', page_, 'application/pdf')).status).toBe(
        200,
      )
    }

    await openPreview('report.pdf')
    // A type list gets no preview at all; a type read from the bytes, text; a PDF, the pinned frame.
    if ((await previewShown()).includes('preview-pdf')) await expectPinnedFrame('report.pdf')

    expect(await page.evaluate(() => sessionStorage.getItem('coffer.planted'))).toBeNull()
    expect(await keyNames()).not.toContain('backdoor')
    // The object stays readable to API clients, as an attachment that browsers never render.
    const raw = await h.fetch('/v1/buckets/documents/objects/tenants/t1/report.pdf', { token: h.admin })
    expect(raw.headers.get('content-disposition')).toMatch(/^attachment;/)
    expect(raw.headers.get('content-security-policy')).toContain('sandbox')
  })

  it("shows a PDF in Chromium's viewer from the content origin, and HTML called a PDF as no page", async () => {
    expect((await put('documents/objects/tenants/t1/real.pdf', minimalPdf(), 'application/pdf')).status).toBe(
      200,
    )
    await openPreview('real.pdf')
    await expectPinnedFrame('real.pdf')
    // The PDF viewer (an extension frame inside the preview) took the response: it was shown, not blocked.
    await expect.poll(() => page.frames().some((f) => f.url().startsWith('chrome-extension://'))).toBe(true)

    const html = `<!doctype html><script>sessionStorage.setItem('coffer.planted', 'inline')</script>`
    expect((await put('documents/objects/tenants/t1/page.pdf', html, 'application/pdf')).status).toBe(200)
    await openPreview('page.pdf')
    // Coffer may read the type from the bytes (HTML, shown as text); declared as a PDF, it shows as one.
    if ((await previewShown()).includes('preview-pdf')) await expectPinnedFrame('page.pdf')
    expect(await page.evaluate(() => sessionStorage.getItem('coffer.planted'))).toBeNull()
  })

  it("runs no tenant script on the UI's origin, not even one a page injection would load", async () => {
    const site = await h.fetch('/v1/buckets', {
      method: 'POST',
      token: h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'site', public: true }),
    })
    expect(site.status).toBe(201)
    const script = 'window.tenantScriptRan = true'
    expect((await put('site/objects/x.js', script, 'text/javascript', h.admin)).status).toBe(200)
    // Same-origin URLs that answer with a tenant's JavaScript: a public object read through /v1, and
    // the old /public path, which now redirects to the content origin.
    for (const path of ['/v1/buckets/site/objects/x.js', '/public/site/x.js']) {
      const outcome = await page.evaluate(
        (src) =>
          new Promise<string>((resolve) => {
            const element = document.createElement('script')
            element.src = src
            element.onload = () => resolve('loaded')
            element.onerror = () => resolve('refused')
            document.head.append(element)
          }),
        path,
      )
      expect(outcome, path).toBe('refused')
      expect(
        await page.evaluate(() => (window as { tenantScriptRan?: boolean }).tenantScriptRan),
      ).toBeUndefined()
    }
    expect(await keyNames()).not.toContain('backdoor')
  })

  it('runs no tenant script in the API docs page either, not even a public object under /v1', async () => {
    const bucket = await h.fetch('/v1/buckets', {
      method: 'POST',
      token: h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'docs-js', public: true }),
    })
    expect(bucket.status).toBe(201)
    expect(
      (await put('docs-js/objects/x.js', 'window.docsScriptRan = true', 'text/javascript', h.admin)).status,
    ).toBe(200)
    const docs = await browser.newPage()
    try {
      const response = await docs.goto(`${h.url}/docs`)
      expect(response?.headers()['content-security-policy']).toContain("object-src 'none'")
      const outcome = await docs.evaluate(
        () =>
          new Promise<string>((resolve) => {
            const element = document.createElement('script')
            element.src = '/v1/buckets/docs-js/objects/x.js'
            element.onload = () => resolve('loaded')
            element.onerror = () => resolve('refused')
            document.head.append(element)
          }),
      )
      expect(outcome).toBe('refused')
      expect(await docs.evaluate(() => (window as { docsScriptRan?: boolean }).docsScriptRan)).toBeUndefined()
    } finally {
      await docs.close()
    }
  })
})
