import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { row, startUiSession, type UiSession, WAIT } from './ui-session.ts'

/** Over 8 MiB: goes over tus, in two PATCHes. */
const LARGE = Buffer.alloc(9 * 1024 * 1024 + 5, 7)
const taken = (page: Page) => page.getByRole('dialog', { name: 'This name is taken' })
const selection = (page: Page) => page.getByRole('toolbar', { name: 'Selection' })

/**
 * Holds the first request to `url` (with `method`) until `release` is called, so that a test can act
 * between the UI's look at a name and its write: `arrived` resolves once the request is held.
 */
async function holdFirst(page: Page, url: string, method: string) {
  let arrived!: () => void
  let release!: () => void
  const arrival = new Promise<void>((resolve) => {
    arrived = resolve
  })
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  let held = false
  await page.route(url, async (route) => {
    if (held || route.request().method() !== method) return route.continue()
    held = true
    arrived()
    await released
    await route.continue()
  })
  return { arrival, release: () => release(), done: () => page.unroute(url) }
}

describe('no silent data loss when a name is taken between the look and the write', () => {
  let s: UiSession
  let page: Page

  beforeAll(async () => {
    s = await startUiSession({ safe: {} })
    page = s.page
    await s.put('safe', 'race/a.txt', 'a')
    await s.put('safe', 'race/m.txt', 'mine')
    await s.put('safe', 'race/dest/keep.txt', 'kept')
    await page.goto(`${s.h.url}/b/safe/race/`)
    await row(page, 'a.txt').waitFor()
  })
  afterAll(() => s?.close())

  it('asks instead of replacing when the new name is taken while a rename is on its way', async () => {
    await page.getByRole('checkbox', { name: 'Select a.txt', exact: true }).check()
    await selection(page).getByRole('button', { name: 'Rename' }).click()
    await page.getByLabel(/New name/).fill('b.txt')
    const hold = await holdFirst(page, '**/v1/buckets/safe/move', 'POST')
    await page.getByRole('button', { name: 'Rename', exact: true }).last().click()
    await hold.arrival
    // The UI looked and found b.txt free; another client takes it before the move arrives.
    await s.put('safe', 'race/b.txt', 'theirs')
    hold.release()
    await taken(page).waitFor(WAIT)
    expect(await taken(page).textContent()).toContain('b.txt already exists in safe/race/')
    expect([await s.read('safe', 'race/a.txt'), await s.read('safe', 'race/b.txt')]).toEqual(['a', 'theirs'])
    await taken(page).getByRole('button', { name: 'Keep both' }).click()
    await row(page, 'b (1).txt').waitFor(WAIT)
    expect(await s.read('safe', 'race/b (1).txt')).toBe('a')
    expect(await s.read('safe', 'race/b.txt')).toBe('theirs')
    expect(await s.read('safe', 'race/a.txt')).toBeUndefined()
    await hold.done()
  })

  it('asks instead of replacing when a name is taken while Move to… is on its way', async () => {
    await page.getByRole('checkbox', { name: 'Select m.txt', exact: true }).check()
    await selection(page).getByRole('button', { name: 'Move to…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Move m.txt to…' })
    await dialog.getByRole('button', { name: 'Open dest' }).click()
    await dialog.getByText('Into safe/race/dest/').waitFor()
    const hold = await holdFirst(page, '**/v1/buckets/safe/move', 'POST')
    await dialog.getByRole('button', { name: 'Move here' }).click()
    await hold.arrival
    await s.put('safe', 'race/dest/m.txt', 'theirs')
    hold.release()
    await taken(page).waitFor(WAIT)
    expect(await taken(page).textContent()).toContain('m.txt already exists in safe/race/dest/')
    await taken(page).getByRole('button', { name: 'Cancel' }).click()
    await expect.poll(() => taken(page).count(), WAIT).toBe(0)
    expect(await s.read('safe', 'race/dest/m.txt')).toBe('theirs')
    expect(await s.read('safe', 'race/m.txt')).toBe('mine')
    await hold.done()
  })

  it('asks instead of replacing when a name is taken while a resumable upload is on its way', async () => {
    const hold = await holdFirst(page, '**/v1/uploads/*', 'PATCH')
    await page
      .getByLabel('Choose files to upload')
      .setInputFiles([{ name: 'big.bin', mimeType: 'application/octet-stream', buffer: LARGE }], {
        timeout: 55_000,
      })
    await hold.arrival
    // The upload was created create-only (the name was free); the name is taken before it ends.
    await s.put('safe', 'race/big.bin', 'theirs')
    hold.release()
    await taken(page).waitFor({ timeout: 55_000 })
    expect(await s.read('safe', 'race/big.bin')).toBe('theirs')
    await taken(page).getByRole('button', { name: 'Keep both' }).click()
    await row(page, 'big (1).bin').waitFor({ timeout: 55_000 })
    expect(await s.read('safe', 'race/big.bin')).toBe('theirs')
    expect(await s.size('safe', 'race/big (1).bin')).toBe(LARGE.length)
    await hold.done()
  }, 180_000)

  it('ran without page errors or CSP violations', () => {
    expect(s.problems).toEqual([])
  })
})
