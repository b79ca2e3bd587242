import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { row, startUiSession, type UiSession } from './ui-session.ts'

describe('the UI knows who is signed in, and offers only what the credential may do', () => {
  let s: UiSession
  let page: Page
  const key = async (name: string, scopes: unknown[], expiresAt?: string) => {
    const response = await s.h.fetch('/v1/keys', {
      method: 'POST',
      token: s.h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, scopes, ...(expiresAt ? { expiresAt } : {}) }),
    })
    return ((await response.json()) as { token: string }).token
  }
  const signInWith = async (token: string) => {
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.goto(`${s.h.url}/#token=${token}`)
    await page.getByRole('link', { name: 'documents' }).waitFor()
  }
  const toolbar = () => page.getByRole('toolbar', { name: 'Selection' })

  beforeAll(async () => {
    s = await startUiSession()
    page = s.page
    await s.put('documents', 'p1/a.txt', 'a')
    await s.put('documents', 'top.txt', 'top')
  })
  afterAll(() => s?.close())

  it('shows no limit for a lasting admin key', async () => {
    await page.getByRole('link', { name: 'documents' }).waitFor()
    expect(await page.locator('.credential').count()).toBe(0)
  })

  it('says "View only · until …" for a read-only link, and offers no change', async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString()
    await signInWith(await key('viewer', [{ bucket: 'documents', permissions: ['read', 'list'] }], until))
    expect(await page.locator('.credential').textContent()).toMatch(/^View only · until .+/)
    expect(await page.locator('.credential').getAttribute('title')).toBe('Signed in as viewer')
    await page.getByRole('link', { name: 'documents' }).click()
    await row(page, 'top.txt').waitFor()
    for (const name of ['Upload files', 'Upload folder', 'New folder'])
      expect(await page.getByRole('button', { name }).count()).toBe(0)
    await page.getByRole('checkbox', { name: 'Select top.txt', exact: true }).check()
    await toolbar().getByRole('button', { name: 'Download' }).waitFor()
    for (const name of ['Share', 'Rename', 'Delete'])
      expect(await toolbar().getByRole('button', { name }).count()).toBe(0)
    await row(page, 'top.txt').getByRole('button').click()
    const details = page.getByRole('complementary', { name: 'Details of top.txt' })
    await details.getByRole('button', { name: 'Download' }).waitFor()
    expect(await details.getByRole('button', { name: 'Delete' }).count()).toBe(0)
  })

  it('offers uploads only in the folder a key may write to', async () => {
    await signInWith(
      await key('p1 writer', [{ bucket: 'documents', prefix: 'p1', permissions: ['read', 'list', 'write'] }]),
    )
    expect(await page.locator('.credential').count()).toBe(0)
    await page.getByRole('link', { name: 'documents' }).click()
    await page
      .getByRole('button', { name: 'Search in this folder' })
      .or(page.getByLabel('Search in this folder'))
      .waitFor()
    expect(await page.getByRole('button', { name: 'Upload files' }).count()).toBe(0)
    // The key cannot list the bucket's root; its folder is opened by its address.
    await page.goto(`${s.h.url}/b/documents/p1/`)
    await row(page, 'a.txt').waitFor()
    await page.getByRole('button', { name: 'Upload files' }).waitFor()
    await page.getByRole('checkbox', { name: 'Select a.txt', exact: true }).check()
    // Writing is not deleting: no Delete, and no Rename (a move deletes the old name).
    expect(await toolbar().getByRole('button', { name: 'Delete' }).count()).toBe(0)
    expect(await toolbar().getByRole('button', { name: 'Rename' }).count()).toBe(0)
  })

  it('ran without page errors or CSP violations', () => {
    expect(s.problems).toEqual([])
  })
})
