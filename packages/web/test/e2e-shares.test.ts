import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARTIFACTS } from './chromium.ts'
import { row, startUiSession, type UiSession, WAIT } from './ui-session.ts'

const REPORT = 'Quarterly report, plain text.\n'

describe('share links in the UI: made at once, listed per bucket, revoked', () => {
  let s: UiSession
  let page: Page
  let link = ''

  beforeAll(async () => {
    s = await startUiSession({ reports: {} })
    page = s.page
    await s.put('reports', 'q1.txt', REPORT)
    await page.reload()
    await page.getByRole('link', { name: 'reports' }).click()
    await row(page, 'q1.txt').waitFor()
  })
  afterAll(() => s?.close())

  /** Opens q1.txt's details and its Share dialog, which makes a link as it opens. */
  async function openShareDialog() {
    await row(page, 'q1.txt').getByRole('button').click()
    await page
      .getByRole('complementary', { name: 'Details of q1.txt' })
      .getByRole('button', { name: 'Share' })
      .click()
    return page.getByRole('dialog', { name: 'Share q1.txt' })
  }

  /** Opens a URL in a browser context with no credentials, as the person the link was sent to. */
  async function asStranger(url: string) {
    const context = await s.browser.newContext({ acceptDownloads: true })
    const stranger = await context.newPage()
    const problems: string[] = []
    stranger.on('console', (message) => problems.push(message.text()))
    const response = await stranger.goto(url)
    return { context, stranger, response, problems }
  }

  it('makes a link as the dialog opens, and a new one (the old one revoked) on new settings', async () => {
    const dialog = await openShareDialog()
    const field = dialog.getByLabel('Share link')
    await field.waitFor(WAIT)
    const first = await field.inputValue()
    expect(first.startsWith(`${s.h.contentUrl}/share/`)).toBe(true)
    // The default: 7 days.
    expect(await dialog.getByLabel('Link expires after').inputValue()).toBe(String(7 * 24 * 3600))

    await dialog.getByLabel('Link expires after').selectOption({ label: '1 day' })
    await dialog.getByLabel(/Most downloads/).fill('2')
    await dialog.getByRole('button', { name: 'Make a new link with these settings' }).click()
    await expect.poll(() => field.inputValue(), WAIT).not.toBe(first)
    link = await field.inputValue()
    await dialog.getByText('2 times at most', { exact: false }).waitFor()
    await page.screenshot({ path: join(ARTIFACTS, 'share-dialog.png') })
    expect((await fetch(first)).status).toBe(404)

    // The person the link is sent to sees the file and a Download button; only the download counts.
    const { context, stranger, response, problems } = await asStranger(link)
    expect(response?.status()).toBe(200)
    await stranger.getByRole('heading', { name: 'q1.txt' }).waitFor()
    await stranger.getByText('2 downloads left.').waitFor()
    await stranger.screenshot({ path: join(ARTIFACTS, 'share-landing-page.png') })
    const [download] = await Promise.all([
      stranger.waitForEvent('download'),
      stranger.getByRole('link', { name: 'Download' }).click(),
    ])
    expect(download.suggestedFilename()).toBe('q1.txt')
    const saved = await download.path()
    expect(await readFile(saved, 'utf8')).toBe(REPORT)
    expect(problems.filter((p) => p.includes('Content Security Policy'))).toEqual([])
    await context.close()
    await dialog.getByRole('button', { name: 'Close', exact: true }).click()
  })

  it('lists the bucket’s live links with their downloads, and revoking one ends it at once', async () => {
    await page.getByRole('link', { name: 'Shared links' }).click()
    await page.getByRole('heading', { name: 'Shared links of reports' }).waitFor()
    const table = page.getByRole('table')
    const line = table.getByRole('row', { name: /q1\.txt/ })
    await line.waitFor(WAIT)
    // The first link was revoked by the dialog: one live link, downloaded once of twice.
    expect(await table.getByRole('row').count()).toBe(2)
    expect(await line.getByRole('cell').nth(1).textContent()).toBe('first admin key')
    expect(await line.getByRole('cell').nth(4).textContent()).toBe('1 of 2')
    await page.screenshot({ path: join(ARTIFACTS, 'shared-links.png') })

    await line.getByRole('button', { name: 'Revoke the link to q1.txt' }).click()
    const confirm = page.getByRole('dialog', { name: 'Revoke this link?' })
    await confirm.getByRole('button', { name: 'Revoke' }).click()
    await page.getByText('No live share link', { exact: false }).waitFor(WAIT)
    expect(s.problems).toEqual([])

    // The person with the link gets a page that says what happened, not JSON, and runs nothing.
    const { context, stranger, response, problems } = await asStranger(link)
    expect(response?.status()).toBe(404)
    await stranger.getByRole('heading', { name: 'Link revoked' }).waitFor()
    expect(await stranger.locator('script').count()).toBe(0)
    await stranger.screenshot({ path: join(ARTIFACTS, 'share-revoked-page.png') })
    expect(problems.filter((p) => p.includes('Content Security Policy'))).toEqual([])
    await context.close()
  })

  it('offers longer links once the bucket’s policy allows them', async () => {
    await page.getByRole('link', { name: 'Coffer' }).click()
    await page.getByRole('button', { name: 'Edit policy of reports' }).click()
    const form = page.getByRole('dialog', { name: 'Policy of reports' })
    await form.getByRole('combobox', { name: /^Longest share link/ }).selectOption({ label: '30 days' })
    await form.getByRole('button', { name: 'Save' }).click()
    await expect
      .poll(async () => {
        const response = await s.h.fetch('/v1/buckets/reports', { token: s.h.admin })
        return ((await response.json()) as { maxShareSeconds?: number }).maxShareSeconds
      }, WAIT)
      .toBe(30 * 86400)
    await page.getByRole('link', { name: 'reports' }).click()
    const dialog = await openShareDialog()
    await dialog.getByLabel('Share link').waitFor(WAIT)
    const expiry = dialog.getByLabel('Link expires after')
    await expect.poll(() => expiry.locator('option', { hasText: '30 days' }).count(), WAIT).toBe(1)
    expect(await expiry.locator('option', { hasText: '90 days' }).count()).toBe(0)
    await expiry.selectOption({ label: '30 days' })
    await dialog.getByRole('button', { name: 'Make a new link with these settings' }).click()
    await expect
      .poll(async () => {
        const response = await s.h.fetch('/v1/buckets/reports/shares', { token: s.h.admin })
        const { shares } = (await response.json()) as { shares: { expiresAt: string }[] }
        return shares.map((share) => Date.parse(share.expiresAt) - Date.now() > 29 * 86400_000)
      }, WAIT)
      .toEqual([true])
    expect(s.problems).toEqual([])
  })

  it('offers neither Shared links nor the admin pages to a view-only key', async () => {
    const viewer = await s.h.key([{ bucket: 'reports', permissions: ['read', 'list'] }])
    await page.goto(`${s.h.url}/#token=${viewer}`)
    await page.getByRole('link', { name: 'reports' }).click()
    await row(page, 'q1.txt').waitFor(WAIT)
    expect(await page.getByRole('link', { name: 'Shared links' }).count()).toBe(0)
    expect(await page.getByRole('navigation', { name: 'Administration' }).count()).toBe(0)
    // An admin page opened by its address says whom it is for instead of failing request by request.
    await page.goto(`${s.h.url}/admin/keys`)
    await page.getByText('These pages are for keys that administer the whole service.').waitFor(WAIT)
    expect(s.problems).toEqual([])
  })
})
