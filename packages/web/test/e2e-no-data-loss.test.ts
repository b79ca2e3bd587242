import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { focused, row, startUiSession, type UiSession, WAIT } from './ui-session.ts'

/** Over 8 MiB: goes over tus, created create-only (`ifNoneMatch` in its metadata). */
const LARGE = Buffer.alloc(9 * 1024 * 1024 + 5, 3)
const text = (name: string, body: string) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(body) })
const taken = (page: Page) => page.getByRole('dialog', { name: 'This name is taken' })

describe('no silent data loss: a taken name is never replaced without asking', () => {
  let s: UiSession
  let page: Page
  const upload = (files: { name: string; mimeType: string; buffer: Buffer }[]) =>
    page.getByLabel('Choose files to upload').setInputFiles(files)

  beforeAll(async () => {
    s = await startUiSession({ safe: {} })
    page = s.page
    await s.put('safe', 'notes.txt', 'one')
    await page.getByRole('link', { name: 'safe' }).click()
    await row(page, 'notes.txt').waitFor()
  })
  afterAll(() => s?.close())

  it('asks before an upload replaces a file; Keep both is focused and stores a numbered copy', async () => {
    await upload([text('notes.txt', 'two')])
    await taken(page).waitFor()
    expect(await taken(page).textContent()).toContain('notes.txt already exists in safe/')
    expect(await focused(page)).toBe('Keep both')
    await taken(page).getByRole('button', { name: 'Keep both' }).click()
    await row(page, 'notes (1).txt').waitFor()
    expect(await s.read('safe', 'notes.txt')).toBe('one')
    expect(await s.read('safe', 'notes (1).txt')).toBe('two')
  })

  it('cancels when asked, and replaces only when Replace is chosen', async () => {
    await upload([text('notes.txt', 'three')])
    await taken(page).getByRole('button', { name: 'Cancel' }).click()
    await expect.poll(() => taken(page).count(), WAIT).toBe(0)
    expect(await s.read('safe', 'notes.txt')).toBe('one')
    await upload([text('notes.txt', 'four')])
    await taken(page).getByRole('button', { name: 'Replace' }).click()
    await expect.poll(() => s.read('safe', 'notes.txt'), WAIT).toBe('four')
  })

  it('answers every taken name of a drop at once when asked', async () => {
    await s.put('safe', 'a.txt', 'a')
    await s.put('safe', 'b.txt', 'b')
    await upload([text('a.txt', 'a2'), text('b.txt', 'b2')])
    await taken(page).getByLabel('Do the same for the other 1 file').check()
    await taken(page).getByRole('button', { name: 'Keep both' }).click()
    await row(page, 'b (1).txt').waitFor()
    await row(page, 'a (1).txt').waitFor()
    expect(await taken(page).count()).toBe(0)
    expect([await s.read('safe', 'a.txt'), await s.read('safe', 'b (1).txt')]).toEqual(['a', 'b2'])
  })

  it('asks before a resumable (tus) upload replaces a file', async () => {
    await s.put('safe', 'large.bin', 'small')
    await page
      .getByLabel('Choose files to upload')
      .setInputFiles([{ name: 'large.bin', mimeType: 'application/octet-stream', buffer: LARGE }], {
        timeout: 55_000,
      })
    await taken(page).getByRole('button', { name: 'Keep both' }).click()
    await row(page, 'large (1).bin').waitFor({ timeout: 55_000 })
    expect(await s.read('safe', 'large.bin')).toBe('small')
    expect(await s.size('safe', 'large (1).bin')).toBe(LARGE.length)
  }, 180_000)

  it('asks before a rename replaces a file; the field selects the name without its extension', async () => {
    const rename = async (from: string, to: string) => {
      await page.getByRole('checkbox', { name: `Select ${from}`, exact: true }).check()
      await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Rename' }).click()
      const field = page.getByLabel(/New name/)
      await field.waitFor()
      const selected = await field.evaluate((input: HTMLInputElement) =>
        input.value.slice(input.selectionStart ?? 0, input.selectionEnd ?? 0),
      )
      expect(selected).toBe(from.replace(/\.[^.]*$/, ''))
      expect(await focused(page)).toBe(`input:${from}`)
      await field.fill(to)
      await page.getByRole('button', { name: 'Rename', exact: true }).last().click()
    }
    await rename('a.txt', 'b.txt')
    await taken(page).getByRole('button', { name: 'Cancel' }).click()
    // Focus goes back to the control that opened the dialog.
    expect(await focused(page)).toBe('Rename')
    expect([await s.read('safe', 'a.txt'), await s.read('safe', 'b.txt')]).toEqual(['a', 'b'])
    await page.getByRole('button', { name: 'Clear selection' }).click()

    await rename('a.txt', 'b.txt')
    await taken(page).getByRole('button', { name: 'Keep both' }).click()
    await row(page, 'b (2).txt').waitFor()
    expect([await s.read('safe', 'a.txt'), await s.read('safe', 'b (2).txt')]).toEqual([undefined, 'a'])

    await rename('b (2).txt', 'b.txt')
    await taken(page).getByRole('button', { name: 'Replace' }).click()
    await expect.poll(() => row(page, 'b (2).txt').count(), WAIT).toBe(0)
    expect(await s.read('safe', 'b.txt')).toBe('a')
  })

  it('moves into a folder without replacing what is there', async () => {
    await s.put('safe', 'sub/notes.txt', 'in sub')
    await page.getByRole('checkbox', { name: 'Select notes.txt', exact: true }).check()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Rename' }).click()
    await page.getByLabel(/New name/).fill('sub/notes.txt')
    await page.getByRole('button', { name: 'Rename', exact: true }).last().click()
    expect(await taken(page).textContent()).toContain('notes.txt already exists in safe/sub/')
    await taken(page).getByRole('button', { name: 'Keep both' }).click()
    await expect.poll(() => s.read('safe', 'sub/notes (1).txt'), WAIT).toBe('four')
    expect(await s.read('safe', 'sub/notes.txt')).toBe('in sub')
  })

  it('ran without page errors or CSP violations', () => {
    expect(s.problems).toEqual([])
  })
})
