import { createServer, type Server } from 'node:http'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type Harness, json, startHarness } from '../../server/test/harness.ts'
import { launchChromium } from '../../web/test/chromium.ts'
import { bundleForBrowsers, source } from './browser-bundle.ts'

// The client as a web app ships it: bundled for browsers, served by the app's own origin, talking to
// Coffer on another origin (the bucket's CORS rule lets the app in) with a scoped token.
let h: Harness
let app: Server
let browser: Browser
let page: Page
let token: string

beforeAll(async () => {
  const { code } = await bundleForBrowsers(source('../src/index.ts'))
  app = createServer((request, response) => {
    if (request.url === '/client.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' })
      return response.end(code)
    }
    response.writeHead(200, { 'content-type': 'text/html' })
    response.end(
      '<!doctype html><title>app</title><script type="module">' +
        "import * as client from '/client.js'; globalThis.client = client</script>",
    )
  })
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(app.address() as { port: number }).port}`
  h = await startHarness('sqlite', { corsOrigins: [origin] })
  const patch = await h.fetch(
    '/v1/buckets/documents',
    json({ cors: { origins: [origin] } }, { method: 'PATCH', token: h.admin }),
  )
  expect(patch.status).toBe(200)
  token = await h.key([
    { bucket: 'documents', prefix: 'browser/', permissions: ['read', 'write', 'list'] },
    { bucket: 'exports', permissions: ['write', 'read', 'sign'] },
  ])
  browser = await launchChromium()
  page = await browser.newPage()
  await page.goto(`${origin}/`)
  await page.waitForFunction(() => 'client' in globalThis)
})
afterAll(async () => {
  await browser?.close()
  await h?.close()
  await new Promise((resolve) => app?.close(resolve))
})

it('uploads a Blob with progress, resumably over tus, lists, and reports refusals by code, in Chromium', async () => {
  const outcome = await page.evaluate(
    async ({ url, token }) => {
      const { CofferClient, CofferError } = (
        globalThis as unknown as { client: typeof import('../src/index.ts') }
      ).client
      const coffer = new CofferClient({ url, token })
      const bytes = new Uint8Array(1 << 20).map((_, i) => i % 251)
      const progress: number[] = []
      const info = await coffer.objects.upload('documents', 'browser/blob.bin', new Blob([bytes]), {
        onProgress: (sent) => progress.push(sent),
      })
      const tusProgress: number[] = []
      await coffer.objects.uploadResumable('documents', 'browser/tus.bin', new Blob([bytes, bytes, bytes]), {
        chunkSize: 1 << 20,
        onProgress: (sent) => tusProgress.push(sent),
      })
      const listed: string[] = []
      for await (const object of coffer.objects.list('documents', { prefix: 'browser/', limit: 1 }))
        listed.push(object.key)
      const refused = await coffer.objects.upload('documents', 'elsewhere/x.txt', 'x').catch((error) => error)
      const exported = await coffer.exports.create([{ name: 'Zoë', n: 1 }], {
        format: 'csv',
        filename: 'people',
      })
      return {
        info,
        progress,
        tusProgress,
        listed,
        refused: [refused instanceof CofferError, refused.code, refused.status],
        exported: await (await fetch(exported.url)).text(),
      }
    },
    { url: h.url, token },
  )
  expect(outcome.info).toMatchObject({ key: 'browser/blob.bin', size: 1 << 20 })
  expect(outcome.progress.at(-1)).toBe(1 << 20)
  expect(outcome.tusProgress.at(-1)).toBe(3 << 20)
  expect(outcome.tusProgress.length).toBeGreaterThan(3)
  expect(outcome.listed).toEqual(['browser/blob.bin', 'browser/tus.bin'])
  expect(outcome.refused).toEqual([true, 'AccessDenied', 403])
  expect(outcome.exported).toContain('Zoë,1')
  const stored = await h.fetch('/v1/buckets/documents/objects/browser/tus.bin', { token: h.admin })
  const bytes = Buffer.from(await stored.arrayBuffer())
  expect(bytes.length).toBe(3 << 20)
  expect(bytes.every((byte, i) => byte === (i % (1 << 20)) % 251)).toBe(true)
})
