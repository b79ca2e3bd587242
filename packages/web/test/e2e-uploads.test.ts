import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { row, startUiSession, type UiSession, WAIT } from './ui-session.ts'

const text = (name: string, size: number) => ({
  name,
  mimeType: 'text/plain',
  buffer: Buffer.alloc(size, 'x'),
})
const alertOf = (page: Page, key: string) => page.locator(`.upload[data-key="${key}"]`).getByRole('alert')

describe("uploads checked against the bucket's policy, with speed, and a warning before leaving", () => {
  let s: UiSession
  let page: Page
  const pick = (files: { name: string; mimeType: string; buffer: Buffer }[]) =>
    page.getByLabel('Choose files to upload').setInputFiles(files)
  const sent: string[] = []

  beforeAll(async () => {
    s = await startUiSession({
      notes: { allowedTypes: ['text/plain'], maxFileSize: 4096, quotaBytes: 6144 },
    })
    page = s.page
    page.on('request', (r) => r.url().includes('/v1/buckets/notes/objects/') && sent.push(r.method()))
    await s.put('notes', 'old.txt', Buffer.alloc(3000, 'o'))
    await page.reload()
    await page.getByRole('link', { name: 'notes' }).click()
    await row(page, 'old.txt').waitFor()
  })
  afterAll(() => s?.close())

  it("offers only the bucket's types in the picker", async () => {
    expect(await page.getByLabel('Choose files to upload').getAttribute('accept')).toBe('text/plain')
  })

  it("refuses at once, with the reason in the UI's units, in red, without a retry", async () => {
    sent.length = 0
    await pick([
      text('big.txt', 5000),
      { name: 'pic.png', mimeType: 'image/png', buffer: Buffer.alloc(10, 1) },
      text('one.txt', 1500),
      text('two.txt', 2000),
    ])
    expect(await alertOf(page, 'big.txt').textContent()).toBe(
      'big.txt is 4.9 KB; this bucket accepts files up to 4.0 KB',
    )
    expect(await alertOf(page, 'pic.png').textContent()).toBe(
      'pic.png is image/png; this bucket accepts text/plain',
    )
    // old.txt and one.txt fill 4.4 KB of 6 KB: two.txt does not fit.
    expect(await alertOf(page, 'two.txt').textContent()).toBe(
      'notes is full: 2.9 KB of 6.0 KB used; two.txt needs 2.0 KB',
    )
    await row(page, 'one.txt').waitFor()
    expect(await page.getByRole('button', { name: /^Retry/ }).count()).toBe(0)
    expect(sent.filter((m) => m === 'PUT')).toEqual(['PUT'])
    const colours = await page.evaluate(() => {
      const name = document.querySelector('.upload.failed .upload-name')
      const danger = getComputedStyle(document.documentElement).getPropertyValue('--danger').trim()
      const probe = document.createElement('span')
      probe.style.color = danger
      document.body.append(probe)
      const expected = getComputedStyle(probe).color
      probe.remove()
      return { actual: name ? getComputedStyle(name).color : '', expected }
    })
    expect(colours.actual).toBe(colours.expected)
    await page.getByRole('button', { name: 'Clear' }).click()
  })

  it("words the server's refusal the same way when the policy changed behind the page", async () => {
    const tightened = await s.h.fetch('/v1/buckets/notes', {
      method: 'PATCH',
      token: s.h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ maxFileSize: 1024 }),
    })
    expect(tightened.status).toBe(200)
    await pick([text('mid.txt', 1100)])
    await alertOf(page, 'mid.txt').waitFor()
    expect(await alertOf(page, 'mid.txt').textContent()).toBe('mid.txt (1.1 KB) is too large for this bucket')
    expect(await page.getByRole('button', { name: 'Retry mid.txt' }).count()).toBe(0)
  })

  it('offers Retry after a server failure', async () => {
    await page.route('**/v1/buckets/notes/objects/flaky.txt', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({ status: 503, detail: 'try later' }),
      }),
    )
    await pick([text('flaky.txt', 10)])
    await page.getByRole('button', { name: 'Retry flaky.txt' }).waitFor()
    await page.unrouteAll({ behavior: 'ignoreErrors' })
    await page.getByRole('button', { name: 'Retry flaky.txt' }).click()
    await row(page, 'flaky.txt').waitFor()
    await page.getByRole('button', { name: 'Clear' }).click()
  })

  it('shows speed and time left, and warns before leaving while files move', async () => {
    const leaving = () =>
      page.evaluate(() => {
        const event = new Event('beforeunload', { cancelable: true })
        dispatchEvent(event)
        return event.defaultPrevented
      })
    expect(await leaving()).toBe(false)
    // A slow link (64 KB/s up), so the upload lasts long enough to have a speed.
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 64 * 1024,
    })
    await page.goto(`${s.h.url}/b/documents/`)
    await page.getByLabel('Choose files to upload').setInputFiles([text('slow.txt', 600 * 1024)])
    await page.getByText(/Uploading 1 file · \d+% · [\d.]+ KB\/s · \d+ s left/).waitFor()
    expect(await leaving()).toBe(true)
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    })
    await page.getByText('Uploads complete').waitFor({ timeout: 60_000 })
    expect(await leaving()).toBe(false)
  })

  it('collapses the finished panel by itself, even after it was opened', async () => {
    await page.locator('.upload-head button[aria-expanded]').click()
    await page.locator('.upload-list').waitFor()
    await expect.poll(() => page.locator('.upload-list').count(), WAIT).toBe(0)
    await page.getByText('Uploads complete').waitFor()
  })

  it('makes a folder in a bucket with type, size and quota rules, and opens it', async () => {
    await page.goto(`${s.h.url}/b/notes/`)
    await page.getByRole('button', { name: 'New folder' }).click()
    await page.getByLabel('Folder name').fill('drafts')
    await page.getByRole('button', { name: 'Create' }).click()
    await page.locator('h1[aria-current="page"]', { hasText: 'drafts' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/b/notes/drafts/')
    const marker = await s.h.fetch('/v1/buckets/notes/objects/drafts/', { method: 'HEAD', token: s.h.admin })
    expect(marker.status).toBe(200)
  })

  it('ran without page errors or CSP violations', () => {
    expect(s.problems).toEqual([])
  })
})
