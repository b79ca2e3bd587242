import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { type Harness, startHarness } from '../../server/test/harness.ts'
import { ARTIFACTS, ensureWebBuilt, launchChromium } from './chromium.ts'

/** A real Coffer, headless Chromium, and a page signed in as the admin through a sign-in link. */
export interface UiSession {
  h: Harness
  browser: Browser
  page: Page
  /** Page errors and CSP violations seen so far (a test asserts there are none). */
  problems: string[]
  /** Writes an object through the API, as another client would. */
  put(bucket: string, key: string, body: string | Buffer): Promise<void>
  /** An object's bytes as text, through the API; undefined when there is none. */
  read(bucket: string, key: string): Promise<string | undefined>
  /** An object's size from a HEAD through the API (large objects, not read whole); NaN when none. */
  size(bucket: string, key: string): Promise<number>
  close(): Promise<void>
}

const path = (bucket: string, key: string) =>
  `/v1/buckets/${bucket}/objects/${key.split('/').map(encodeURIComponent).join('/')}`

/** Starts the service and the browser, creates `buckets`, and opens the UI signed in. */
export async function startUiSession(buckets: Record<string, object> = {}): Promise<UiSession> {
  ensureWebBuilt()
  mkdirSync(ARTIFACTS, { recursive: true })
  const h = await startHarness('sqlite')
  for (const [name, policy] of Object.entries(buckets)) {
    const created = await h.fetch('/v1/buckets', {
      method: 'POST',
      token: h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, ...policy }),
    })
    if (!created.ok) throw new Error(`bucket ${name}: ${created.status} ${await created.text()}`)
  }
  const browser = await launchChromium()
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) problems.push(message.text())
  })
  await page.goto(`${h.url}/#token=${h.admin}`)
  await page.getByRole('heading', { name: 'Buckets' }).waitFor()
  return {
    h,
    browser,
    page,
    problems,
    async put(bucket, key, body) {
      const response = await h.fetch(path(bucket, key), {
        method: 'PUT',
        token: h.admin,
        body: typeof body === 'string' ? body : new Uint8Array(body),
      })
      if (!response.ok) throw new Error(`PUT ${key}: ${response.status}`)
    },
    async read(bucket, key) {
      const response = await h.fetch(path(bucket, key), { token: h.admin })
      return response.status === 404 ? undefined : response.text()
    },
    async size(bucket, key) {
      const response = await h.fetch(path(bucket, key), { method: 'HEAD', token: h.admin })
      return response.ok ? Number(response.headers.get('content-length')) : Number.NaN
    },
    async close() {
      await browser.close()
      await h.close()
    },
  }
}

/** A row of the folder grid, by the text of its name. */
export const row = (page: Page, name: string) => page.locator('.rows-inner [role="row"]', { hasText: name })

/** What has the focus: its accessible text (a button's label, a field's value). */
export const focused = (page: Page) =>
  page.evaluate(() => {
    const active = document.activeElement
    return active instanceof HTMLInputElement ? `input:${active.value}` : (active?.textContent ?? '')
  })

/** How long a poll waits for the UI on a busy machine (a bound, not a speed target). */
export const WAIT = { timeout: 15_000 }
