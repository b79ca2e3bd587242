import { join } from 'node:path'
import type { Page, Request } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARTIFACTS } from './chromium.ts'
import { gradientPng } from './png.ts'
import { startUiSession, type UiSession, WAIT } from './ui-session.ts'

/** The grid's tiles, and one by the text of its name. */
const tiles = (page: Page) => page.locator('[role="grid"] [role="gridcell"]')
const tile = (page: Page, name: string) => tiles(page).filter({ hasText: name })

/**
 * Waits until every thumbnail of the folder has loaded and answers what each decoded to: its source
 * and natural size (0 when the browser could not decode it). A bound, not a speed target.
 */
async function loadedThumbnails(page: Page, count: number) {
  await page.waitForFunction(
    (n) => {
      const images = [...document.querySelectorAll<HTMLImageElement>('img.thumb-image')]
      return images.length === n && images.every((img) => img.complete && img.naturalWidth > 0)
    },
    count,
    WAIT,
  )
  return page.$$eval('img.thumb-image', (images) =>
    (images as HTMLImageElement[]).map((img) => ({ src: img.src, width: img.naturalWidth })),
  )
}

/** The grid view of image folders in Chromium: thumbnails from the content origin, signed or not. */
describe('the web UI grid view of images', () => {
  let ui: UiSession
  let page: Page
  const open = async (path: string) => {
    await page.goto(`${ui.h.url}/b/${path}`)
    await page.getByRole('grid', { name: 'Folder contents' }).waitFor(WAIT)
  }
  const active = () =>
    page.evaluate(() => {
      const grid = document.querySelector('[role="grid"]')
      const id = grid?.getAttribute('aria-activedescendant')
      return id ? (document.getElementById(id)?.textContent ?? '') : ''
    })

  beforeAll(async () => {
    ui = await startUiSession({
      gallery: { public: true },
      vault: { public: false },
      plain: { public: true, renders: 'none' },
    })
    page = ui.page
    for (let i = 1; i <= 5; i++) await ui.put('gallery', `photos/p${i}.png`, gradientPng(400 + i * 10, 300))
    await ui.put('gallery', 'photos/readme.txt', 'not an image')
    for (let i = 1; i <= 3; i++) await ui.put('vault', `shots/s${i}.png`, gradientPng(640, 400))
    for (let i = 1; i <= 3; i++) await ui.put('plain', `pics/q${i}.png`, gradientPng(200, 200))
    await ui.put('avatars', 'u1.png', gradientPng(300, 300))
  })
  afterAll(() => ui?.close())

  it('shows a public folder of images as a grid of renders from the content origin', async () => {
    await open('gallery/photos/')
    // Mostly images: the grid is the default, chosen once the first listing page has arrived.
    const grid = page.getByRole('button', { name: 'Grid' })
    await expect.poll(() => grid.getAttribute('aria-pressed')).toBe('true')
    const thumbs = await loadedThumbnails(page, 5)
    for (const { src, width } of thumbs) {
      expect(src.startsWith(`${ui.h.contentUrl}/render/gallery/photos/p`)).toBe(true)
      expect(new URL(src).searchParams.get('w')).toBe('160')
      expect(width).toBe(160)
    }
    // Not an image: its icon, no render.
    expect(await tile(page, 'readme.txt').locator('svg.icon').count()).toBe(1)
    expect(await tile(page, 'readme.txt').locator('img').count()).toBe(0)
    await page.screenshot({ path: join(ARTIFACTS, 'image-grid.png') })
    expect(ui.problems).toEqual([])
  })

  it('moves, selects and opens with the keyboard as the list does', async () => {
    await open('gallery/photos/')
    await tiles(page).first().waitFor(WAIT)
    const columns = Number(await page.getByRole('grid').getAttribute('aria-colcount'))
    expect(columns).toBeGreaterThan(2)
    await page.getByRole('grid').focus()
    expect(await active()).toContain('p1.png')
    await page.keyboard.press('ArrowRight')
    expect(await active()).toContain('p2.png')
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('ArrowDown')
    // One row of tiles down: entry number `columns` (p1 is 0), or the last one.
    expect(await active()).toContain(columns >= 6 ? 'readme.txt' : `p${columns + 1}.png`)
    await page.keyboard.press('Home')
    await page.keyboard.press('Space')
    expect(await tile(page, 'p1.png').getAttribute('aria-selected')).toBe('true')
    await page.keyboard.press('Enter')
    await page.getByRole('complementary', { name: 'Details of p1.png' }).waitFor(WAIT)
  })

  it('switches to the list with small thumbnails, and remembers the choice', async () => {
    await open('gallery/photos/')
    await page.getByRole('button', { name: 'List' }).click()
    await page.locator('.rows-inner [role="row"]').first().waitFor(WAIT)
    expect((await loadedThumbnails(page, 5)).every((t) => t.src.includes('/render/gallery/'))).toBe(true)
    await page.screenshot({ path: join(ARTIFACTS, 'image-list.png') })
    await page.reload()
    await page.locator('.rows-inner [role="row"]').first().waitFor(WAIT)
    expect(await page.getByRole('button', { name: 'List' }).getAttribute('aria-pressed')).toBe('true')
  })

  it('shows the ThumbHash placeholder while a thumbnail loads', async () => {
    const held: (() => Promise<void>)[] = []
    await page.route('**/render/gallery/**', (route) => {
      held.push(() => route.continue())
    })
    await page.evaluate(() => localStorage.removeItem('coffer.layouts'))
    await open('gallery/photos/')
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll<HTMLImageElement>('img.thumb-placeholder')].filter(
          (img) => img.src.startsWith('data:image/png') && img.complete && img.naturalWidth > 0,
        ).length === 5,
      undefined,
      WAIT,
    )
    await Promise.all(held.map((go) => go()))
    await page.unroute('**/render/gallery/**')
    await loadedThumbnails(page, 5)
    expect(await page.locator('img.thumb-placeholder').count()).toBe(0)
  })

  it("loads a private folder's thumbnails through URLs signed in one request", async () => {
    const calls: string[] = []
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname
      if (path.endsWith('/render-urls') || path.endsWith('/sign')) calls.push(path)
    })
    await open('vault/shots/')
    const thumbs = await loadedThumbnails(page, 3)
    for (const { src, width } of thumbs) {
      expect(src.startsWith(`${ui.h.contentUrl}/render-signed/`)).toBe(true)
      expect(width).toBe(160)
    }
    expect(calls).toEqual(['/v1/buckets/vault/render-urls'])
    // Without credentials the render route of a private bucket shows nothing.
    expect((await fetch(`${ui.h.contentUrl}/render/vault/shots/s1.png?w=20`)).status).toBe(404)
  })

  it('signs only the new key when an upload lands in a private folder', async () => {
    const batches: string[][] = []
    const listen = (request: Request) => {
      if (new URL(request.url()).pathname.endsWith('/render-urls'))
        batches.push((request.postDataJSON() as { keys: string[] }).keys)
    }
    page.on('request', listen)
    await open('vault/shots/')
    await loadedThumbnails(page, 3)
    expect(batches).toEqual([['shots/s1.png', 'shots/s2.png', 'shots/s3.png']])
    await page
      .locator('input[type="file"]')
      .first()
      .setInputFiles({
        name: 's4.png',
        mimeType: 'image/png',
        buffer: gradientPng(500, 300),
      })
    await loadedThumbnails(page, 4)
    expect(batches).toEqual([['shots/s1.png', 'shots/s2.png', 'shots/s3.png'], ['shots/s4.png']])
    page.off('request', listen)
  })

  it('shows icons where the credential may not sign', async () => {
    const reader = await ui.h.key([{ bucket: 'vault', permissions: ['read', 'list'] }])
    const other = await ui.browser.newPage()
    const asked: string[] = []
    other.on('request', (request) => {
      // Renders loaded; a batch asked before whoami has answered is refused (403) and not retried.
      if (/^\/render(-signed)?\//.test(new URL(request.url()).pathname)) asked.push(request.url())
    })
    await other.goto(`${ui.h.url}/#token=${reader}`)
    await other.getByRole('heading', { name: 'Buckets' }).waitFor(WAIT)
    await other.goto(`${ui.h.url}/b/vault/shots/`)
    await tiles(other).first().waitFor(WAIT)
    expect(await other.locator('[role="gridcell"] svg.icon-image').count()).toBe(4)
    expect(await other.locator('img.thumb-image').count()).toBe(0)
    expect(asked).toEqual([])
    await other.close()
  })

  it('shows icons for a bucket that renders nothing, and asks for no render', async () => {
    const renders: string[] = []
    page.on('request', (request) => {
      if (request.url().includes('/render')) renders.push(request.url())
    })
    await page.goto(`${ui.h.url}/b/plain/pics/`)
    await page.locator('.rows-inner [role="row"]').first().waitFor(WAIT)
    // No thumbnails: the list stays the default even for a folder of images.
    expect(await page.getByRole('button', { name: 'List' }).getAttribute('aria-pressed')).toBe('true')
    await page.getByRole('button', { name: 'Grid' }).click()
    await tiles(page).first().waitFor(WAIT)
    expect(await tiles(page).count()).toBe(3)
    expect(await page.locator('[role="gridcell"] svg.icon-image').count()).toBe(3)
    expect(await page.locator('img').count()).toBe(0)
    expect(renders).toEqual([])
  })

  it("links to a public bucket's variants in the details panel: they open and copy", async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.h.url })
    await page.goto(`${ui.h.url}/b/avatars/`)
    await tile(page, 'u1.png').waitFor(WAIT)
    await page.getByRole('button', { name: 'u1.png' }).click()
    const links = page.getByRole('region', { name: 'Renders' }).getByRole('link')
    await links.first().waitFor(WAIT)
    expect(await links.allTextContents()).toEqual(['thumb', 'small', 'medium', 'large'])
    const thumb = (await links.first().getAttribute('href')) ?? ''
    expect(thumb).toBe(`${ui.h.contentUrl}/render/avatars/u1.png?variant=thumb`)
    const [popup] = await Promise.all([page.waitForEvent('popup'), links.first().click()])
    await popup.waitForLoadState('load')
    expect(await popup.evaluate(() => document.querySelector('img')?.naturalWidth)).toBe(64)
    await popup.close()
    await page.getByRole('button', { name: 'Copy link to small' }).click()
    await page.getByText('Link to small copied.').waitFor(WAIT)
    const copied = await page.evaluate(() => navigator.clipboard.readText())
    expect(copied).toBe(`${ui.h.contentUrl}/render/avatars/u1.png?variant=small`)
  })

  it("signs a private bucket's render links, which open without credentials", async () => {
    await open('vault/shots/')
    await page.getByRole('button', { name: 's2.png' }).click()
    const link = page.getByRole('region', { name: 'Renders' }).getByRole('link', { name: '320 px wide' })
    await link.waitFor(WAIT)
    const href = (await link.getAttribute('href')) ?? ''
    expect(href.startsWith(`${ui.h.contentUrl}/render-signed/`)).toBe(true)
    const fresh = await ui.browser.newPage()
    await fresh.goto(href)
    expect(await fresh.evaluate(() => document.querySelector('img')?.naturalWidth)).toBe(320)
    await fresh.close()
    expect(ui.problems).toEqual([])
  })
})
