import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARTIFACTS } from './chromium.ts'
import { startUiSession, type UiSession, WAIT } from './ui-session.ts'

describe('admin pages: API keys, usage chart, audit trail, deleting an empty bucket', () => {
  let s: UiSession
  let page: Page
  let token = ''
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) })
  const nav = () => page.getByRole('navigation', { name: 'Administration' })

  beforeAll(async () => {
    s = await startUiSession({ spare: {}, media: {} })
    page = s.page
    await s.put('media', 'kept.txt', 'still here')
    await page.reload()
    await page.getByRole('link', { name: 'media' }).waitFor()
  })
  afterAll(() => s?.close())

  const whoami = (credential: string) => s.h.fetch('/v1/whoami', { token: credential })

  it('creates a key and shows its token once, then shows when it was last used', async () => {
    await nav().getByRole('link', { name: 'API keys' }).click()
    await page.getByRole('heading', { name: 'API keys' }).waitFor()
    await page.getByRole('button', { name: 'New key' }).click()
    const dialog = page.getByRole('dialog', { name: 'New API key' })
    await dialog.getByLabel('Name').fill('uploader')
    await dialog.getByRole('combobox', { name: /^Bucket/ }).selectOption('media')
    await dialog.getByRole('checkbox', { name: 'write' }).check()
    await dialog.getByRole('button', { name: 'Create key' }).click()
    const shown = page.getByRole('dialog', { name: 'API key uploader' })
    token = await shown.getByLabel('Token').inputValue()
    expect(token).toMatch(/^cfr_/)
    await shown.getByText('it is not shown again', { exact: false }).waitFor()
    await shown.getByRole('button', { name: 'Done' }).click()
    // Once the dialog is gone, the token is nowhere on the page.
    expect(await page.content()).not.toContain(token)

    // The key this UI is signed in with is marked, so nobody revokes it unawares.
    await page.getByRole('row', { name: /first admin key \(this key\)/ }).waitFor()
    const line = page.getByRole('row', { name: /uploader/ })
    expect(await line.getByRole('cell').nth(1).textContent()).toBe('media: read, list, write')
    expect(await line.getByRole('cell').nth(3).textContent()).toBe('never')
    expect((await whoami(token)).status).toBe(200)
    for (let i = 0; i < 4; i++) {
      const put = await s.h.fetch(`/v1/buckets/media/objects/upload-${i}.bin`, {
        method: 'PUT',
        token,
        body: new Uint8Array(2048 * (i + 1)),
      })
      expect(put.status).toBe(200)
    }
    await page.reload()
    await expect.poll(() => line.getByRole('cell').nth(3).textContent(), WAIT).not.toBe('never')
    await shot('admin-keys')
    // At phone width the table scrolls in its own box; the page does not scroll sideways.
    await page.setViewportSize({ width: 360, height: 800 })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360)
    await page.setViewportSize({ width: 1280, height: 800 })
    expect(s.problems).toEqual([])
  })

  it('draws usage per bucket and per key name from the traffic just made', async () => {
    await nav().getByRole('link', { name: 'Usage' }).click()
    await page.getByRole('heading', { name: 'Usage' }).waitFor()
    await page.getByRole('combobox', { name: /^Show/ }).selectOption({ label: 'Uploaded' })
    const media = page.locator('svg g.series[data-series="media"]')
    await media.waitFor(WAIT)
    // 2 + 4 + 6 + 8 KiB by the uploader, and the 10 bytes the session wrote: 20 KiB in all.
    await page.getByText('media: 20 KB').waitFor(WAIT)
    const points = (await media.locator('polyline').getAttribute('points'))?.split(' ') ?? []
    expect(points).toHaveLength(30)
    // Today's point (the last) is the highest: the line goes up at the end.
    const ys = points.map((p) => Number(p.split(',')[1]))
    expect(Math.min(...ys)).toBe(ys.at(-1))
    expect(ys[0]).toBeGreaterThan(ys.at(-1) ?? 0)

    await page.getByRole('combobox', { name: /^By/ }).selectOption({ label: 'API key name' })
    await page.locator('svg g.series[data-series="uploader"]').waitFor(WAIT)
    await page.getByText('uploader: 20 KB').waitFor(WAIT)
    await shot('admin-usage')
  })

  it('revokes the key, and the audit trail shows what was just done, filtered', async () => {
    await nav().getByRole('link', { name: 'API keys' }).click()
    await page.getByRole('button', { name: 'Revoke uploader' }).click()
    await page
      .getByRole('dialog', { name: 'Revoke uploader?' })
      .getByRole('button', { name: 'Revoke key' })
      .click()
    await page
      .getByRole('row', { name: /uploader/ })
      .getByText(/^revoked/)
      .waitFor(WAIT)
    expect((await whoami(token)).status).toBe(401)

    await nav().getByRole('link', { name: 'Audit' }).click()
    await page.getByRole('heading', { name: 'Audit trail' }).waitFor()
    const rows = page.getByRole('table').getByRole('row')
    await rows.nth(1).waitFor(WAIT)
    // Newest first: the revoke, then the uploads, by the key's name.
    expect(await rows.nth(1).getByRole('cell').nth(2).textContent()).toBe('key.revoke')
    expect(await rows.nth(1).getByRole('cell').nth(1).textContent()).toBe('first admin key')
    expect(await rows.nth(2).getByRole('cell').nth(1).textContent()).toBe('uploader')
    expect(await rows.nth(2).getByRole('cell').nth(2).textContent()).toBe('object.put')

    await page.getByRole('combobox', { name: /^Action/ }).selectOption('key.create')
    await page.getByRole('button', { name: 'Filter' }).click()
    await expect.poll(() => rows.count(), WAIT).toBe(2)
    expect(await rows.nth(1).getByRole('cell').nth(2).textContent()).toBe('key.create')
    // By actor, chosen by key name: the uploader's four uploads.
    await page.getByRole('combobox', { name: /^Action/ }).selectOption('')
    await page.getByRole('combobox', { name: /^Actor/ })
    const actor = page.getByRole('combobox', { name: /^Actor/ })
    await actor.selectOption(
      (await actor.locator('option', { hasText: /^uploader / }).getAttribute('value')) ?? '',
    )
    await page.getByRole('button', { name: 'Filter' }).click()
    await expect.poll(() => rows.count(), WAIT).toBe(5)
  })

  it('pages through the audit trail, 50 events at a time', async () => {
    for (let i = 0; i < 60; i++) await s.put('media', `paged/${i}.txt`, 'x')
    await page.getByRole('combobox', { name: /^Actor/ }).selectOption('')
    await page.getByRole('button', { name: 'Filter' }).click()
    const rows = page.getByRole('table').getByRole('row')
    await expect.poll(() => rows.count(), WAIT).toBe(51)
    await page.getByRole('button', { name: 'Older events' }).click()
    await expect.poll(() => rows.count(), WAIT).toBeGreaterThan(51)
    const ids = await rows.evaluateAll((all) => all.map((row) => row.textContent))
    // Newest first, nothing shown twice: the uploads 59 … 0 appear once each, in that order.
    const uploads = ids
      .filter((text) => text?.includes('paged/'))
      .map((text) => Number(/paged\/(\d+)/.exec(text ?? '')?.[1]))
    expect(uploads).toEqual(Array.from({ length: 60 }, (_, i) => 59 - i))
    await shot('admin-audit')
  })

  it('deletes an empty bucket once its name is typed, and offers no delete for one with files', async () => {
    await page.getByRole('link', { name: 'Coffer' }).click()
    await page.getByRole('heading', { name: 'Buckets' }).waitFor()
    expect(await page.getByRole('button', { name: 'Delete media' }).count()).toBe(0)
    await page.getByRole('button', { name: 'Delete spare' }).click()
    const dialog = page.getByRole('dialog', { name: 'Delete spare?' })
    const submit = dialog.getByRole('button', { name: 'Delete bucket' })
    await dialog.getByLabel(/Type the bucket's name/).fill('spar')
    expect(await submit.isDisabled()).toBe(true)
    await dialog.getByLabel(/Type the bucket's name/).fill('spare')
    await submit.click()
    await expect.poll(() => page.getByRole('link', { name: 'spare' }).count(), WAIT).toBe(0)
    expect((await s.h.fetch('/v1/buckets/spare', { token: s.h.admin })).status).toBe(404)
    expect(s.problems).toEqual([])
  })
})
