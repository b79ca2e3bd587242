import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { focused, startUiSession, type UiSession, WAIT } from './ui-session.ts'

const policyOf = async (s: UiSession, bucket: string) =>
  (await (await s.h.fetch(`/v1/buckets/${bucket}`, { token: s.h.admin })).json()) as { public: boolean }

describe('dangerous changes confirmed, and dialogs that keep the focus where people expect it', () => {
  let s: UiSession
  let page: Page
  const dialog = () => page.getByRole('dialog')

  beforeAll(async () => {
    s = await startUiSession({ photos: {} })
    page = s.page
    await s.put('photos', 'a.jpg', Buffer.alloc(3000, 1))
    await s.put('photos', 'deep/b.jpg', Buffer.alloc(2000, 2))
    await page.reload()
    await page.getByRole('link', { name: 'photos' }).waitFor()
  })
  afterAll(() => s?.close())

  it('says what becomes readable and asks for the name before a bucket goes public', async () => {
    const edit = page.getByRole('button', { name: 'Edit policy of photos' })
    await edit.click()
    await dialog()
      .getByLabel(/^Public/)
      .check()
    await dialog().getByRole('button', { name: 'Save' }).click()
    const confirm = page.getByRole('dialog', { name: 'Make photos public?' })
    await confirm.getByText(/all 2 files \(4\.9 KB\)/).waitFor()
    expect(await confirm.textContent()).toContain(`${s.h.contentUrl}/public/photos/`)
    // The typed confirmation is the first field, and focused; the button stays off until it matches.
    expect(await focused(page)).toBe('input:')
    const submit = confirm.getByRole('button', { name: 'Make public' })
    expect(await submit.isDisabled()).toBe(true)
    await confirm.getByLabel(/Type the bucket's name/).fill('photo')
    expect(await submit.isDisabled()).toBe(true)
    // Cancel goes back to the form, and nothing changed.
    await confirm.getByRole('button', { name: 'Cancel' }).click()
    await page.getByRole('dialog', { name: 'Policy of photos' }).waitFor()
    expect((await policyOf(s, 'photos')).public).toBe(false)
    await dialog().getByRole('button', { name: 'Save' }).click()
    await confirm.getByLabel(/Type the bucket's name/).fill('photos')
    await submit.click()
    await expect.poll(async () => (await policyOf(s, 'photos')).public, WAIT).toBe(true)
    await page.locator('.bucket', { hasText: 'photos' }).getByText('Public', { exact: true }).waitFor()
    // The form opened from Edit policy; the focus comes back to it.
    expect(await focused(page)).toBe('Edit policy')
  })

  it('shows the badge on the public bucket, and making it private again needs no confirmation', async () => {
    await page.getByRole('link', { name: 'photos' }).click()
    await page.locator('.page-head').getByText('Public', { exact: true }).waitFor()
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Buckets' }).click()
    await page.getByRole('button', { name: 'Edit policy of photos' }).click()
    await dialog()
      .getByLabel(/^Public/)
      .uncheck()
    await dialog().getByRole('button', { name: 'Save' }).click()
    await expect.poll(async () => (await policyOf(s, 'photos')).public, WAIT).toBe(false)
    await page
      .locator('.bucket', { hasText: 'photos' })
      .locator('.badge-public')
      .waitFor({ state: 'detached' })
  })

  it('focuses Cancel in a delete confirmation, and Escape gives the focus back to the opener', async () => {
    await page.getByRole('link', { name: 'photos' }).click()
    await page.getByRole('checkbox', { name: 'Select a.jpg', exact: true }).check()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Delete' }).click()
    await dialog().waitFor()
    expect(await focused(page)).toBe('Cancel')
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog().count(), WAIT).toBe(0)
    expect(await focused(page)).toBe('Delete')
    expect(await s.read('photos', 'a.jpg')).toHaveLength(3000)
  })

  it('focuses the first field of a form dialog', async () => {
    await page.getByRole('button', { name: 'New folder' }).click()
    await dialog().getByLabel('Folder name').waitFor()
    expect(await focused(page)).toBe('input:')
    await dialog().getByRole('button', { name: 'Cancel' }).click()
    expect(await focused(page)).toBe('New folder')
  })

  it('closes the details panel with Escape', async () => {
    await page.getByRole('button', { name: 'a.jpg', exact: true }).click()
    const details = page.getByRole('complementary', { name: 'Details of a.jpg' })
    await details.waitFor()
    await details.getByRole('button', { name: 'Close details' }).focus()
    await page.keyboard.press('Escape')
    await expect.poll(() => details.count(), WAIT).toBe(0)
    // The focus is not lost with the panel: it goes to the folder's grid.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('grid')
  })

  it('ran without page errors or CSP violations', () => {
    expect(s.problems).toEqual([])
  })
})
