import { execFileSync } from 'node:child_process'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { row, startUiSession, type UiSession, WAIT } from './ui-session.ts'

// Bytes, not strings: fetch labels a string text/plain, and the type should come from the name.
const selection = (page: Page) => page.getByRole('toolbar', { name: 'Selection' })
const rowNames = (page: Page) =>
  page.locator('.rows-inner [role="row"] .col-name').evaluateAll((cells) => cells.map((c) => c.textContent))

describe('the folder view: address, title, search of the bucket, offline, Move to…', () => {
  let s: UiSession
  let page: Page

  beforeAll(async () => {
    s = await startUiSession({ photos: {} })
    page = s.page
    await s.put('photos', 'summer/beach.pdf', Buffer.from('b'.repeat(30)))
    await s.put('photos', 'summer/sunset.json', Buffer.from('s'.repeat(10)))
    await s.put('photos', 'summer/zz-notes.txt', Buffer.from('n'.repeat(20)))
    await s.put('photos', 'winter/summer-plan.txt', Buffer.from('plan'))
    await s.put('photos', 'winter/deep/summer.csv', Buffer.from('a,b'))
    await s.put('photos', 'archive/', Buffer.from(''))
  })
  afterAll(() => s?.close())

  it('names the folder in the page title', async () => {
    await page.goto(`${s.h.url}/b/photos/summer/`)
    await row(page, 'beach.pdf').waitFor()
    expect(await page.title()).toBe('summer — photos — Coffer')
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'photos' }).click()
    await row(page, 'winter').waitFor()
    expect(await page.title()).toBe('photos — Coffer')
  })

  it('keeps sort, filter and search in the address: reload, back and forward restore them', async () => {
    await page.goto(`${s.h.url}/b/photos/summer/`)
    await row(page, 'beach.pdf').waitFor()
    await page.getByLabel('Sort by').selectOption('size:desc')
    await expect.poll(() => new URL(page.url()).search, WAIT).toBe('?sort=size&order=desc')
    await expect.poll(() => rowNames(page), WAIT).toEqual(['beach.pdf', 'zz-notes.txt', 'sunset.json'])
    await page.getByLabel('Type').selectOption('text/*')
    await expect.poll(() => rowNames(page), WAIT).toEqual(['zz-notes.txt'])
    await page.getByLabel('Search in this folder').fill('no')
    await expect.poll(() => new URL(page.url()).searchParams.get('q'), WAIT).toBe('no')

    await page.reload()
    await row(page, 'zz-notes.txt').waitFor()
    expect(await page.getByLabel('Sort by').inputValue()).toBe('size:desc')
    expect(await page.getByLabel('Type').inputValue()).toBe('text/*')
    expect(await page.getByLabel('Search in this folder').inputValue()).toBe('no')

    // Back: the type filter goes (the search was typed into the same entry); forward brings it back.
    await page.goBack()
    await expect.poll(() => page.getByLabel('Type').inputValue(), WAIT).toBe('')
    expect(await page.getByLabel('Sort by').inputValue()).toBe('size:desc')
    await expect.poll(() => rowNames(page), WAIT).toEqual(['beach.pdf', 'zz-notes.txt', 'sunset.json'])
    await page.goBack()
    await expect.poll(() => page.getByLabel('Sort by').inputValue(), WAIT).toBe('name:asc')
    await page.goForward()
    await expect.poll(() => page.getByLabel('Sort by').inputValue(), WAIT).toBe('size:desc')
    await page.goForward()
    await expect.poll(() => page.getByLabel('Type').inputValue(), WAIT).toBe('text/*')
  })

  it('opens a shared link with its view in a new tab, signed in without asking', async () => {
    const link = `${s.h.url}/b/photos/summer/?type=application%2F*&sort=name&order=desc`
    const tab = await page.context().newPage()
    await tab.goto(link)
    await row(tab, 'sunset.json').waitFor()
    expect(await tab.getByLabel('Sort by').inputValue()).toBe('name:desc')
    expect(await tab.getByLabel('Type').inputValue()).toBe('application/*')
    expect(await rowNames(tab)).toEqual(['sunset.json', 'beach.pdf'])
    expect(await tab.getByRole('button', { name: 'Sign in' }).count()).toBe(0)
    await tab.close()
  })

  it('searches names through the whole bucket, shows each result’s folder and opens it', async () => {
    await page.goto(`${s.h.url}/b/photos/summer/`)
    await row(page, 'beach.pdf').waitFor()
    await page.getByLabel('Search where').selectOption('bucket')
    await page.getByLabel('Search names in the whole bucket').fill('summer')
    const results = page.getByRole('region', { name: 'Search results in photos' })
    await results.getByText('summer.csv').waitFor(WAIT)
    const items = await results
      .locator('.result')
      .evaluateAll((rows) =>
        rows.map((r) => [
          r.querySelector('.result-name')?.textContent,
          r.querySelector('.result-folder')?.textContent,
        ]),
      )
    // Names only: the files inside summer/ do not match "summer".
    expect(items).toEqual([
      ['summer.csv', 'in photos/winter/deep/'],
      ['summer-plan.txt', 'in photos/winter/'],
    ])
    expect(new URL(page.url()).searchParams.get('in')).toBe('bucket')
    await results.getByRole('link', { name: 'Open folder photos/winter/deep/ of summer.csv' }).click()
    await row(page, 'summer.csv').waitFor()
    expect(new URL(page.url()).pathname).toBe('/b/photos/winter/deep/')
    expect(await page.title()).toBe('deep — photos — Coffer')
  })

  it('pages a long search with Show more, and opens a result’s details', async () => {
    for (let i = 0; i < 205; i++)
      await s.put('photos', `logs/day-${String(i).padStart(3, '0')}.log`, Buffer.from('l'))
    await page.goto(`${s.h.url}/b/photos/?in=bucket&q=day-`)
    const results = page.getByRole('region', { name: 'Search results in photos' })
    await results.getByText('day-199.log').waitFor(WAIT)
    expect(await results.locator('.result').count()).toBe(200)
    expect(await results.getByText('day-200.log').count()).toBe(0)
    await results.getByRole('button', { name: 'Show more results' }).click()
    await results.getByText('day-204.log').waitFor(WAIT)
    expect(await results.locator('.result').count()).toBe(205)
    expect(await results.getByRole('button', { name: 'Show more results' }).count()).toBe(0)
    await results.getByRole('button', { name: 'day-204.log' }).click()
    await page.getByRole('complementary', { name: 'Details of day-204.log' }).waitFor(WAIT)
    await s.h.fetch('/v1/buckets/photos/delete', {
      method: 'POST',
      token: s.h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prefix: 'logs/' }),
    })
  })

  it('keeps the last listing when the network drops, and Retry loads it again once', async () => {
    await page.goto(`${s.h.url}/b/photos/summer/`)
    await row(page, 'beach.pdf').waitFor()
    await page.route('**/v1/buckets/photos/objects?**', (route) => route.abort('internetdisconnected'))
    await page.getByLabel('Sort by').selectOption('modified:desc')
    const notice = page.getByRole('alert').filter({ hasText: 'Offline' })
    await notice.waitFor(WAIT)
    expect(await notice.textContent()).toContain('showing the last listing')
    expect((await rowNames(page)).sort()).toEqual(['beach.pdf', 'sunset.json', 'zz-notes.txt'])
    await notice.getByRole('button', { name: 'Retry' }).click()
    await notice.getByRole('button', { name: 'Retry' }).waitFor(WAIT)
    expect(await row(page, 'beach.pdf').count()).toBe(1)
    // Meanwhile someone added a file: the retry shows it, and nothing twice.
    await s.put('photos', 'summer/new.txt', Buffer.from('new'))
    await page.unroute('**/v1/buckets/photos/objects?**')
    await notice.getByRole('button', { name: 'Retry' }).click()
    await expect.poll(() => notice.count(), WAIT).toBe(0)
    await row(page, 'new.txt').waitFor()
    expect((await rowNames(page)).sort()).toEqual(['beach.pdf', 'new.txt', 'sunset.json', 'zz-notes.txt'])
  })

  it('moves several selected items with Move to…, asking about a taken name', async () => {
    await s.put('photos', 'archive/beach.pdf', Buffer.from('old beach'))
    await page.goto(`${s.h.url}/b/photos/summer/`)
    await row(page, 'beach.pdf').waitFor()
    for (const name of ['beach.pdf', 'sunset.json'])
      await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).check()
    await selection(page).getByRole('button', { name: 'Move to…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Move 2 items to…' })
    await dialog.getByRole('button', { name: '↑ Up' }).click()
    await dialog.getByRole('button', { name: 'Open archive' }).click()
    await dialog.getByText('Into photos/archive/').waitFor()
    await dialog.getByRole('button', { name: 'Move here' }).click()
    const taken = page.getByRole('dialog', { name: 'This name is taken' })
    expect(await taken.textContent()).toContain('beach.pdf already exists in photos/archive/')
    await taken.getByRole('button', { name: 'Keep both' }).click()
    await expect.poll(() => row(page, 'sunset.json').count(), WAIT).toBe(0)
    expect(await row(page, 'beach.pdf').count()).toBe(0)
    expect(await s.read('photos', 'archive/beach.pdf')).toBe('old beach')
    expect(await s.read('photos', 'archive/beach (1).pdf')).toBe('b'.repeat(30))
    expect(await s.read('photos', 'archive/sunset.json')).toBe('s'.repeat(10))
    expect(await s.read('photos', 'summer/beach.pdf')).toBeUndefined()
  })

  it('refuses to move a folder into itself', async () => {
    await page.goto(`${s.h.url}/b/photos/`)
    await row(page, 'winter').waitFor()
    await page.getByRole('checkbox', { name: 'Select winter', exact: true }).check()
    await selection(page).getByRole('button', { name: 'Move to…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Move winter to…' })
    await dialog.getByRole('button', { name: 'Open winter' }).click()
    await dialog.getByRole('button', { name: 'Move here' }).click()
    await dialog.getByText('winter cannot be moved into itself').waitFor()
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    expect(await s.read('photos', 'winter/summer-plan.txt')).toBe('plan')
  })

  it('downloads several selected folders as one zip, saved by the browser', async () => {
    await page.goto(`${s.h.url}/b/photos/`)
    await row(page, 'winter').waitFor()
    for (const name of ['summer', 'winter'])
      await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).check()
    const saved = page.waitForEvent('download', WAIT)
    await selection(page).getByRole('button', { name: 'Download as zip' }).click()
    const download = await saved
    expect(download.suggestedFilename()).toBe('photos.zip')
    const path = await download.path()
    const script =
      'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print("\\n".join(sorted(z.namelist())))'
    const names = execFileSync('python3', ['-c', script, path], { encoding: 'utf8' }).trim().split('\n')
    expect(names).toEqual([
      'summer/new.txt',
      'summer/zz-notes.txt',
      'winter/deep/summer.csv',
      'winter/summer-plan.txt',
    ])
  })

  it('ran without page errors or CSP violations', () => {
    expect(s.problems).toEqual([])
  })
})
