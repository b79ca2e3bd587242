import { mkdirSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from '../../server/test/harness.ts'
import { ARTIFACTS, ensureWebBuilt, launchChromium } from './chromium.ts'
import { gradientPng } from './png.ts'

const PNG = gradientPng(320, 200)
const NOTES = Buffer.from('Coffer end-to-end notes\nline two\n')
const DATA = Buffer.from(JSON.stringify({ hello: 'world', list: [1, 2, 3] }))
const CSV = Buffer.from('name,size\nalpha,1\nbeta,2\n')
/** Over 8 MiB: goes over tus. */
const LARGE = Buffer.alloc(9 * 1024 * 1024 + 123, 7)

/** Drops files on the browser view the way a person's drag does: a DataTransfer with Files. */
async function dropFiles(page: Page, files: { name: string; type: string; base64: string }[]) {
  await page.evaluate((list) => {
    const data = new DataTransfer()
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))
      data.items.add(new File([bytes], f.name, { type: f.type }))
    }
    const target = document.querySelector('main.browser')
    if (!target) throw new Error('no browser view')
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }))
    }
  }, files)
}

/** 9 MiB through CDP and tus on a loaded 2-core machine: a bound, not a speed target. */
const SLOW = { timeout: 55_000 }

const row = (page: Page, name: string) => page.locator('.rows-inner [role="row"]', { hasText: name })

describe('the web UI in Chromium, against a real Coffer', () => {
  let h: Harness
  let browser: Browser
  let page: Page
  const problems: string[] = []
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) })

  beforeAll(async () => {
    ensureWebBuilt()
    mkdirSync(ARTIFACTS, { recursive: true })
    h = await startHarness('sqlite')
    browser = await launchChromium()
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    page = await context.newPage()
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) problems.push(message.text())
    })
  })
  afterAll(async () => {
    await browser?.close()
    await h?.close()
  })

  it('serves the UI at / with its CSP, and keeps the API paths', async () => {
    const index = await h.fetch('/', { headers: { accept: 'text/html' } })
    expect(index.status).toBe(200)
    const csp = index.headers.get('content-security-policy') ?? ''
    expect(csp).toMatch(/script-src 'nonce-[\w+/=]+';/)
    expect(csp).toContain(`frame-src ${h.contentUrl}`)
    expect(await index.text()).toContain(`<meta name="coffer-content-origin" content="${h.contentUrl}">`)
    expect(index.headers.get('cache-control')).toBe('no-cache')
    const deep = await h.fetch('/b/documents/some/folder/', { headers: { accept: 'text/html' } })
    expect(await deep.text()).toContain('<div id="root">')
    const api = await h.fetch('/v1/nope', { headers: { accept: 'text/html' } })
    expect(api.status).toBe(404)
    expect(api.headers.get('content-type')).toContain('application/problem+json')
  })

  it('signs in with an API key', async () => {
    await page.goto(h.url)
    await expect.poll(() => page.getByLabel('API key').isVisible()).toBe(true)
    await shot('sign-in')
    await page.getByLabel('API key').fill('cfr_wrong')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').waitFor()
    expect(await page.getByRole('alert').textContent()).toMatch(/sign in again/i)
    await page.getByLabel('API key').fill(h.admin)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Buckets' }).waitFor()
    await page.getByRole('link', { name: 'documents' }).waitFor()
  })

  it('creates a bucket with a size limit (admin)', async () => {
    await page.getByRole('button', { name: 'New bucket' }).click()
    await page.getByLabel('Name').fill('small-e2e')
    await page.getByLabel('Largest file').fill('1 KB')
    await shot('bucket-form')
    await page.getByRole('button', { name: 'Create' }).click()
    await page.getByRole('link', { name: 'small-e2e' }).waitFor()
    const bucket = (await (await h.fetch('/v1/buckets/small-e2e', { token: h.admin })).json()) as {
      maxFileSize: number
    }
    expect(bucket.maxFileSize).toBe(1024)
    await shot('buckets')
  })

  it('creates a folder and opens it', async () => {
    await page.getByRole('link', { name: 'documents' }).click()
    await page.getByRole('button', { name: 'New folder' }).click()
    await page.getByLabel('Folder name').fill('e2e')
    await page.getByRole('button', { name: 'Create' }).click()
    // The new folder opens at once.
    await page.locator('h1[aria-current="page"]', { hasText: 'e2e' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/b/documents/e2e/')
  })

  it('uploads files dropped on the page, with progress', async () => {
    await dropFiles(page, [
      { name: 'notes.txt', type: 'text/plain', base64: NOTES.toString('base64') },
      { name: 'picture.png', type: 'image/png', base64: PNG.toString('base64') },
      { name: 'data.json', type: 'application/json', base64: DATA.toString('base64') },
    ])
    await page.getByRole('region', { name: 'Uploads' }).waitFor()
    for (const name of ['notes.txt', 'picture.png', 'data.json']) await row(page, name).waitFor()
    await page.getByText('Uploads complete').waitFor()
    const stored = await h.fetch('/v1/buckets/documents/objects/e2e/picture.png', { token: h.admin })
    expect(Buffer.from(await stored.arrayBuffer()).equals(PNG)).toBe(true)
  })

  it('uploads files from the picker, a large one resumably (tus)', async () => {
    await page.getByLabel('Choose files to upload').setInputFiles(
      [
        { name: 'table.csv', mimeType: 'text/csv', buffer: CSV },
        { name: 'large.bin', mimeType: 'application/octet-stream', buffer: LARGE },
      ],
      SLOW,
    )
    await page.locator('.upload[data-key="e2e/large.bin"]', { hasText: 'resumable' }).waitFor()
    await expect.poll(() => page.locator('progress[aria-label="Total upload progress"]').count()).toBe(1)
    await page.getByText('Uploads complete').waitFor({ timeout: 55_000 })
    await row(page, 'large.bin').waitFor()
    await row(page, 'table.csv').waitFor()
    const head = await h.fetch('/v1/buckets/documents/objects/e2e/large.bin', {
      method: 'HEAD',
      token: h.admin,
    })
    expect(Number(head.headers.get('content-length'))).toBe(LARGE.length)
    await shot('browser')
  }, 180_000)

  it('resumes a large upload after a reload, from where the server stopped', async () => {
    const path = join(tmpdir(), `coffer-e2e-${process.pid}-resume.bin`)
    await writeFile(path, LARGE)
    const requests: string[] = []
    page.on('request', (r) => r.url().includes('/v1/uploads') && requests.push(r.method()))
    // Let the creation and the first 8 MiB chunk through, then hold the rest, as a dropped connection would.
    let patches = 0
    await page.route('**/v1/uploads/*', (route) =>
      route.request().method() === 'PATCH' && ++patches > 1 ? undefined : route.continue(),
    )
    await page.getByLabel('Choose files to upload').setInputFiles(path, SLOW)
    await expect.poll(() => patches, SLOW).toBe(2)
    await page.reload()
    await page.unrouteAll({ behavior: 'ignoreErrors' })
    await page.getByText(/Interrupted uploads: documents\/e2e\/coffer-e2e-/).waitFor()
    requests.length = 0
    await page.getByLabel('Choose files to upload').setInputFiles(path, SLOW)
    const name = `e2e/coffer-e2e-${process.pid}-resume.bin`
    await page.getByText('Uploads complete').waitFor({ timeout: 55_000 })
    expect(requests[0]).toBe('HEAD')
    expect(requests).not.toContain('POST')
    await expect.poll(() => page.getByText(/Interrupted uploads/).count()).toBe(0)
    const stored = await h.fetch(`/v1/buckets/documents/objects/${name}`, { token: h.admin })
    expect(Buffer.from(await stored.arrayBuffer()).equals(LARGE)).toBe(true)
    await rm(path, { force: true })
    await h.fetch(`/v1/buckets/documents/objects/${name}`, { method: 'DELETE', token: h.admin })
  }, 180_000)

  it('cancels a large upload: its upload is deleted on the server and no longer offered to resume', async () => {
    const file = `coffer-e2e-${process.pid}-cancel.bin`
    const path = join(tmpdir(), file)
    await writeFile(path, LARGE)
    const requests: string[] = []
    let uploadUrl: string | undefined
    page.on('request', (r) => r.url().includes('/v1/uploads') && requests.push(r.method()))
    page.on('response', (r) => {
      if (r.request().method() === 'POST' && r.url().endsWith('/v1/uploads')) uploadUrl = r.headers().location
    })
    // The first chunk goes through; the second is held, so the upload is mid-way when it is cancelled.
    let patches = 0
    await page.route('**/v1/uploads/*', (route) =>
      route.request().method() === 'PATCH' && ++patches > 1 ? undefined : route.continue(),
    )
    await page.getByLabel('Choose files to upload').setInputFiles(path, SLOW)
    await expect.poll(() => patches, SLOW).toBe(2)
    await page.getByRole('button', { name: `Cancel ${file}` }).click()
    await expect.poll(() => requests.includes('DELETE'), SLOW).toBe(true)
    await page.unrouteAll({ behavior: 'ignoreErrors' })
    expect(uploadUrl).toBeDefined()
    const gone = await fetch(new URL(uploadUrl ?? '', h.url), {
      method: 'HEAD',
      headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${h.admin}` },
    })
    expect([404, 410]).toContain(gone.status)
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tus::')))).toEqual(
      [],
    )
    expect(await page.getByText(/Interrupted uploads/).count()).toBe(0)
    const stored = await h.fetch(`/v1/buckets/documents/objects/e2e/${file}`, { token: h.admin })
    expect(stored.status).toBe(404)
    await page.getByRole('button', { name: 'Clear' }).click()
    await rm(path, { force: true })
  }, 180_000)

  it('previews an image, text and CSV, with the metadata', async () => {
    await row(page, 'picture.png').getByRole('button').click()
    const details = page.getByRole('complementary', { name: 'Details of picture.png' })
    const image = details.getByRole('img', { name: 'Preview of picture.png' })
    await image.waitFor()
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(320)
    // From the content origin, through a signed URL: never a blob of the UI's own origin.
    expect(await image.getAttribute('src')).toMatch(
      new RegExp(`^${h.contentUrl}/signed/documents/e2e/picture.png\\?`),
    )
    expect(await details.textContent()).toContain('image/png')
    await shot('preview-image')
    await row(page, 'data.json').getByRole('button').click()
    await page.locator('pre.preview-text', { hasText: '"hello": "world"' }).waitFor()
    await row(page, 'table.csv').getByRole('button').click()
    await page.getByRole('cell', { name: 'beta' }).waitFor()
  })

  it('shares a link that opens without credentials', async () => {
    await row(page, 'notes.txt').getByRole('button').click()
    const details = page.getByRole('complementary', { name: 'Details of notes.txt' })
    await details.getByRole('button', { name: 'Share' }).click()
    // The dialog makes the link at once; the shared-links test covers its settings.
    const field = page.getByLabel('Share link')
    await field.waitFor()
    const url = await field.inputValue()
    expect(url.startsWith(`${h.contentUrl}/share/`)).toBe(true)
    await page.getByRole('button', { name: 'Copy' }).click()
    await page.getByText(/Copied|Ctrl\+C/).waitFor()
    await shot('share')
    // Without credentials: a browser gets the share's page first, any other client the bytes.
    const stranger = await browser.newContext()
    const response = await (await stranger.newPage()).goto(url)
    expect(response?.status()).toBe(200)
    expect(await response?.text()).toContain('<h1>notes.txt</h1>')
    const bytes = await stranger.request.get(url)
    expect(Buffer.from(await bytes.body()).equals(NOTES)).toBe(true)
    await stranger.close()
    await page.getByRole('button', { name: 'Close', exact: true }).click()
  })

  it('renames an object', async () => {
    await page.getByRole('checkbox', { name: 'Select notes.txt', exact: true }).check()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Rename' }).click()
    await page.getByLabel(/New name/).fill('renamed.txt')
    await page.getByRole('button', { name: 'Rename', exact: true }).last().click()
    await row(page, 'renamed.txt').waitFor()
    await expect.poll(() => row(page, 'notes.txt').count()).toBe(0)
    const moved = await h.fetch('/v1/buckets/documents/objects/e2e/renamed.txt', { token: h.admin })
    expect(await moved.text()).toBe(NOTES.toString())
  })

  it('deletes an object, then a folder with everything in it, after confirmation', async () => {
    await page.getByRole('checkbox', { name: 'Select data.json', exact: true }).check()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await expect.poll(() => row(page, 'data.json').count()).toBe(0)
    await page
      .getByRole('navigation', { name: 'Breadcrumb' })
      .getByRole('link', { name: 'documents' })
      .click()
    await page.getByRole('checkbox', { name: 'Select e2e', exact: true }).check()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Delete' }).click()
    expect(await page.getByRole('dialog').textContent()).toContain('and everything in it')
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await expect.poll(() => row(page, 'e2e/').count()).toBe(0)
    const left = (await (
      await h.fetch('/v1/buckets/documents/objects?prefix=e2e/', { token: h.admin })
    ).json()) as {
      objects: unknown[]
    }
    expect(left.objects).toEqual([])
  })

  it("refuses a file over the bucket's limit before sending it, in people's words", async () => {
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Buckets' }).click()
    await page.getByRole('link', { name: 'small-e2e' }).click()
    const sent: string[] = []
    page.on('request', (r) => r.url().includes('/objects/big.bin') && sent.push(r.method()))
    await page
      .getByLabel('Choose files to upload')
      .setInputFiles([
        { name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(10_000, 1) },
      ])
    const item = page.locator('.upload[data-key="big.bin"]')
    await item.getByRole('alert').waitFor()
    expect(await item.getByRole('alert').textContent()).toBe(
      'big.bin is 9.8 KB; this bucket accepts files up to 1.0 KB',
    )
    // A refusal is not worth retrying; nothing was sent.
    expect(await item.getByRole('button', { name: 'Retry big.bin' }).count()).toBe(0)
    expect(sent).toEqual([])
    await shot('upload-error')
  })

  it('works at phone width and in dark mode', async () => {
    await page.emulateMedia({ colorScheme: 'dark' })
    await shot('browser-dark')
    await page.setViewportSize({ width: 390, height: 844 })
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Buckets' }).click()
    await page.getByRole('link', { name: 'documents' }).waitFor()
    await shot('phone-buckets')
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    expect(width).toBeLessThanOrEqual(390)
    await page.emulateMedia({ colorScheme: 'light' })
    await page.setViewportSize({ width: 1280, height: 800 })
  })

  it('signs out, and the key is gone from the tab', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('API key').waitFor()
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0)
    await page.reload()
    await page.getByLabel('API key').waitFor()
  })

  it('signs in from a link with a short-lived token', async () => {
    const token = await h.key([{ bucket: 'documents', permissions: ['read', 'list'] }])
    await page.goto(`${h.url}/#token=${token}`)
    await page.getByRole('link', { name: 'documents' }).waitFor()
    expect(new URL(page.url()).hash).toBe('')
    await page.getByRole('button', { name: 'Sign out' }).click()
  })

  it('ran without page errors or CSP violations', () => {
    expect(problems).toEqual([])
  })
})
