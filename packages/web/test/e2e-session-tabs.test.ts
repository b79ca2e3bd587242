import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { row, startUiSession, type UiSession, WAIT } from './ui-session.ts'

describe('a session that survives a new tab, and a search kept inside a scoped key', () => {
  let s: UiSession
  let page: Page
  let token: string
  const until = new Date(Date.now() + 2 * 3_600_000).toISOString()

  beforeAll(async () => {
    s = await startUiSession({ docs: {} })
    page = s.page
    for (const key of ['alice/summer.txt', 'alice/deep/summer-notes.txt', 'bob/summer-secret.txt'])
      await s.put('docs', key, Buffer.from(key))
    const response = await s.h.fetch('/v1/keys', {
      method: 'POST',
      token: s.h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'alice link',
        scopes: [{ bucket: 'docs', prefix: 'alice/', permissions: ['read', 'list', 'write', 'delete'] }],
        expiresAt: until,
      }),
    })
    token = ((await response.json()) as { token: string }).token
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.goto(`${s.h.url}/b/docs/alice/#token=${token}`)
    await row(page, 'summer.txt').waitFor()
  })
  afterAll(() => s?.close())

  it('opens a link in a new tab signed in, showing when the session ends', async () => {
    const tab = await page.context().newPage()
    await tab.goto(`${s.h.url}/b/docs/alice/deep/`)
    await row(tab, 'summer-notes.txt').waitFor()
    expect(await tab.locator('.credential').textContent()).toMatch(/^Until .+/)
    // The key is in this tab's sessionStorage only: nothing persistent, no cookie.
    expect(await tab.evaluate(() => sessionStorage.getItem('coffer.token'))).toBe(token)
    expect(await tab.evaluate(() => JSON.stringify(localStorage))).not.toContain(token)
    expect(await tab.context().cookies()).toEqual([])
    await tab.close()
  })

  it('asks to sign in where no tab of the UI is open (the key was not kept anywhere)', async () => {
    const other = await (await s.browser.newContext()).newPage()
    await other.goto(`${s.h.url}/b/docs/alice/`)
    await other.getByLabel('API key').waitFor(WAIT)
    expect(await row(other, 'summer.txt').count()).toBe(0)
    await other.context().close()
  })

  it('searches the whole bucket as far as the key may list: names outside its prefix never show', async () => {
    await page.goto(`${s.h.url}/b/docs/alice/deep/?in=bucket&q=summer`)
    const results = page.getByRole('region', { name: 'Search results in docs/alice/' })
    await results.getByText('summer-notes.txt').waitFor(WAIT)
    await results.getByText('summer.txt', { exact: true }).waitFor(WAIT)
    expect(await results.locator('.result').count()).toBe(2)
    expect(await page.content()).not.toContain('summer-secret')
  })

  it('signs out every tab with the same key when one signs out; a tab with another key stays', async () => {
    const tab = await page.context().newPage()
    await tab.goto(`${s.h.url}/b/docs/alice/`)
    await row(tab, 'summer.txt').waitFor()
    const admin = await page.context().newPage()
    await admin.goto(`${s.h.url}/b/docs/bob/#token=${s.h.admin}`)
    await row(admin, 'summer-secret.txt').waitFor()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await tab.getByText('You are signed out.').waitFor(WAIT)
    expect(await tab.evaluate(() => sessionStorage.getItem('coffer.token'))).toBeNull()
    expect(await admin.getByRole('button', { name: 'Sign out' }).count()).toBe(1)
    expect(await admin.evaluate(() => sessionStorage.getItem('coffer.token'))).toBe(s.h.admin)
    await tab.close()
    await admin.close()
  })

  it('ran without page errors or CSP violations', () => {
    expect(s.problems).toEqual([])
  })
})
