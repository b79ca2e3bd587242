// `npm run screenshot:grid`: starts Coffer as `npm start` does (built packages, its own data dir), uploads
// generated photos, and screenshots the web UI's grid view in headless Chromium into
// docs/screenshot-grid.png. Rerun it after changing the UI; it leaves nothing behind.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import sharp from 'sharp'
import { startProcess } from '../packages/server/test/spawned-service.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const OUT = join(ROOT, 'docs', 'screenshot-grid.png')
/** How long a wait for the UI may take on a busy machine (a bound, not a speed target). */
const WAIT = { timeout: 30_000 }

/** A landscape-like picture: a sky gradient, a sun and two hills, in the colours of `hue`. */
function picture(hue: number, width = 1200, height = 800): Promise<Buffer> {
  const sky = `hsl(${hue}, 70%, 75%)`
  const ground = `hsl(${(hue + 90) % 360}, 45%, 40%)`
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="${sky}"/><stop offset="1" stop-color="hsl(${hue}, 60%, 92%)"/>
    </linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#s)"/>
    <circle cx="${width * (0.2 + (hue % 7) / 10)}" cy="${height * 0.3}" r="${height * 0.12}" fill="hsl(45, 95%, 65%)"/>
    <ellipse cx="${width * 0.25}" cy="${height}" rx="${width * 0.55}" ry="${height * 0.45}" fill="${ground}"/>
    <ellipse cx="${width * 0.85}" cy="${height * 1.05}" rx="${width * 0.5}" ry="${height * 0.38}"
      fill="hsl(${(hue + 120) % 360}, 40%, 30%)"/>
  </svg>`
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer()
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'coffer-screenshot-'))
  const admin = `admin-${randomBytes(24).toString('hex')}`
  const service = await startProcess({ COFFER_DATA_DIR: dataDir, COFFER_ADMIN_KEY: admin })
  try {
    const api = (path: string, init: RequestInit = {}) =>
      fetch(service.url + path, { ...init, headers: { authorization: `Bearer ${admin}`, ...init.headers } })
    const created = await api('/v1/buckets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'photos',
        public: true,
        allowedTypes: ['image/*', 'text/*'],
        variants: { thumb: 'w=160,h=160', card: 'w=480,h=320' },
      }),
    })
    if (!created.ok) throw new Error(`bucket: ${created.status} ${await created.text()}`)
    const names = [
      'alps',
      'beach',
      'canyon',
      'dunes',
      'fjord',
      'glacier',
      'harbour',
      'island',
      'lake',
      'meadow',
    ]
    for (const [i, name] of names.entries()) {
      const body = await picture(i * 37)
      const put = await api(`/v1/buckets/photos/objects/2026/summer/${name}.jpg`, {
        method: 'PUT',
        headers: { 'content-type': 'image/jpeg' },
        body: new Uint8Array(body),
      })
      if (!put.ok) throw new Error(`${name}: ${put.status}`)
    }
    await api('/v1/buckets/photos/objects/2026/summer/notes.txt', { method: 'PUT', body: 'Trip notes' })

    const browser = await chromium.launch({
      executablePath: process.env.COFFER_CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    })
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 760 } })).newPage()
      await page.goto(`${service.url}/#token=${admin}`)
      await page.getByRole('heading', { name: 'Buckets' }).waitFor(WAIT)
      await page.goto(`${service.url}/b/photos/2026/summer/`)
      await page.locator('[role="gridcell"]').first().waitFor(WAIT)
      await page.getByRole('button', { name: 'glacier.jpg' }).click()
      await page.getByRole('region', { name: 'Renders' }).getByRole('link').first().waitFor(WAIT)
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll<HTMLImageElement>('img.thumb-image, img.preview-image')].every(
            (img) => img.complete && img.naturalWidth > 0,
          ),
        undefined,
        WAIT,
      )
      // Transitions finished: thumbnails fade in over their placeholders.
      await page.screenshot({ path: OUT, animations: 'disabled' })
      process.stdout.write(`wrote ${OUT}\n`)
    } finally {
      await browser.close()
    }
  } finally {
    service.child.kill('SIGTERM')
    await service.exited
    await rm(dataDir, { recursive: true, force: true })
  }
}

await main()
