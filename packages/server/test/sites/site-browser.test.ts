import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from '../harness.ts'
import { type TestEntry, tarGzOf, zipOf } from './archives.ts'

/** Debian's chromium, as the web UI's end-to-end tests use it; no browser is ever downloaded. */
const CHROMIUM = process.env.COFFER_CHROMIUM ?? '/usr/bin/chromium'

/** A two-page single-page app: its router shows a view per path and remembers the visit. */
const SPA: TestEntry[] = [
  {
    name: 'index.html',
    data: `<!doctype html><title>spa</title><script src="/assets/app.1a2b3c4d.js" defer></script>
<nav><a href="/" data-link>Home</a> <a href="/about" data-link>About</a></nav><main id="view"></main>`,
  },
  {
    name: 'assets/app.1a2b3c4d.js',
    data: `function render() {
  document.getElementById('view').textContent = location.pathname === '/about' ? 'About page' : 'Home page'
}
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-link]')
  if (!link) return
  event.preventDefault()
  history.pushState(null, '', link.getAttribute('href'))
  render()
})
addEventListener('popstate', render)
render()
localStorage.setItem('secret', 'kept by ' + location.host)`,
  },
  { name: 'coffer-site.json', data: '{ "spa": true }' },
]

/** A page that shows what it finds in its origin's storage. */
const SNOOP: TestEntry[] = [
  {
    name: 'index.html',
    data: `<!doctype html><title>snoop</title><main id="found"></main>
<script>document.getElementById('found').textContent = 'found: ' + localStorage.getItem('secret') + ', cookies: ' + document.cookie</script>`,
  },
]

describe('sites in a browser: each on its own origin', () => {
  let h: Harness
  let browser: Browser
  let port: string
  const origin = (site: string) => `http://${site}.sites.localhost:${port}`
  const deploy = async (site: string, body: Buffer) => {
    const init = { method: 'POST', token: h.admin, body: new Uint8Array(body) }
    expect((await h.fetch(`/v1/sites/${site}/deploys`, init)).status).toBe(201)
  }

  beforeAll(async () => {
    h = await startHarness('sqlite')
    port = new URL(h.contentUrl).port
    await deploy('app', await zipOf(SPA))
    await deploy('snoop', await tarGzOf(SNOOP))
    for (const site of ['app', 'snoop']) {
      await h.fetch(`/v1/sites/${site}`, json({ public: true }, { method: 'PATCH', token: h.admin }))
    }
    await deploy('private', await zipOf(SNOOP))
    // Chromium resolves *.localhost to loopback itself; the rule only makes sure of it.
    const args = ['--no-sandbox', '--host-resolver-rules=MAP *.sites.localhost 127.0.0.1']
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args })
  })
  afterAll(async () => {
    await browser?.close()
    await h?.close()
  })

  it('runs a two-page single-page app, with deep links falling back to its index.html', async () => {
    const page = await browser.newPage()
    await page.goto(`${origin('app')}/`)
    await expect.poll(() => page.textContent('#view')).toBe('Home page')
    await page.click('text=About')
    await expect.poll(() => page.textContent('#view')).toBe('About page')
    expect(new URL(page.url()).pathname).toBe('/about')
    const deep = await page.goto(`${origin('app')}/about`)
    expect(deep?.status()).toBe(200)
    await expect.poll(() => page.textContent('#view')).toBe('About page')
    await page.goBack()
    await page.close()
  })

  it("keeps one site's localStorage from another site", async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${origin('app')}/`)
    await expect
      .poll(() => page.evaluate(() => localStorage.getItem('secret')))
      .toBe(`kept by app.sites.localhost:${port}`)
    await page.goto(`${origin('snoop')}/`)
    await expect.poll(() => page.textContent('#found')).toBe('found: null, cookies: ')
    await context.close()
  })

  it('opens a private site with a preview link, whose cookie scripts cannot read', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    expect((await page.goto(`${origin('private')}/`))?.status()).toBe(403)
    const response = await h.fetch('/v1/sites/private/preview', json({ expiresIn: 600 }, { token: h.admin }))
    const { url } = (await response.json()) as { url: string }
    const opened = await page.goto(url)
    expect(opened?.status()).toBe(200)
    expect(new URL(page.url()).pathname).toBe('/')
    await expect.poll(() => page.textContent('#found')).toBe('found: null, cookies: ')
    const cookies = await context.cookies()
    expect(cookies.map((c) => [c.name, c.domain, c.httpOnly, c.sameSite])).toEqual([
      ['coffer-preview', 'private.sites.localhost', true, 'Lax'],
    ])
    // Another site's origin gets no cookie, so the link opens the one site only.
    await page.goto(`${origin('snoop')}/`)
    await expect.poll(() => page.textContent('#found')).toBe('found: null, cookies: ')
    await context.close()
  })
})
