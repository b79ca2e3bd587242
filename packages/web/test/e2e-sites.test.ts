import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { zipOf } from '../../server/test/sites/archives.ts'
import { ARTIFACTS } from './chromium.ts'
import { startUiSession, type UiSession } from './ui-session.ts'

interface Deployed {
  deploy: { id: string }
}

/**
 * The Sites page in Chromium against a real Coffer: sites with their deploys (time, files, size),
 * a link to each site's own origin, switching the live deploy, deleting an old one after a
 * confirmation, and no page at all for a credential that cannot see sites.
 */
describe('the Sites page', () => {
  let s: UiSession
  let page: Page
  let older = ''
  let newer = ''
  const deploy = async (title: string) => {
    const body = await zipOf([{ name: 'index.html', data: `<!doctype html><title>${title}</title>` }])
    const response = await s.h.fetch('/v1/sites/demo/deploys', {
      method: 'POST',
      token: s.h.admin,
      headers: { 'content-type': 'application/zip' },
      body: new Uint8Array(body),
    })
    expect(response.status).toBe(201)
    return ((await response.json()) as Deployed).deploy.id
  }
  const current = async () => {
    const response = await s.h.fetch('/v1/sites/demo', { token: s.h.admin })
    return (await response.json()) as { site: { current: string }; deploys: { id: string }[] }
  }
  const key = async (scopes: unknown[], expiresAt?: string) => {
    const response = await s.h.fetch('/v1/keys', {
      method: 'POST',
      token: s.h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'sites test', scopes, ...(expiresAt ? { expiresAt } : {}) }),
    })
    return ((await response.json()) as { token: string }).token
  }
  const signInWith = async (token: string) => {
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.goto(`${s.h.url}/#token=${token}`)
    await page.getByRole('heading', { name: 'Buckets' }).waitFor()
  }
  const deployRow = (id: string) => page.getByRole('row', { name: `Deploy ${id}` })

  beforeAll(async () => {
    s = await startUiSession()
    page = s.page
    older = await deploy('first version')
    newer = await deploy('second version')
    const patched = await s.h.fetch('/v1/sites/demo', {
      method: 'PATCH',
      token: s.h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ public: true }),
    })
    expect(patched.status).toBe(200)
  })
  afterAll(() => s?.close())

  it('lists the deploys with their time, files and size, the newest live, and opens the site', async () => {
    await page.getByRole('link', { name: 'Sites' }).click()
    await page.getByRole('heading', { name: 'Sites' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/sites')
    const site = page.getByRole('listitem', { name: 'Site demo' })
    await deployRow(newer).waitFor()
    expect(await site.getByRole('row').count()).toBe(3)
    const newest = deployRow(newer)
    expect(await newest.getByText('Live').count()).toBe(1)
    expect(await newest.textContent()).toMatch(/1 file.*B/)
    expect(await newest.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(await deployRow(older).getByRole('button', { name: 'Make live' }).count()).toBe(1)
    await page.screenshot({ path: join(ARTIFACTS, 'sites-page.png') })

    const open = site.getByRole('link', { name: 'Open' })
    const href = (await open.getAttribute('href')) as string
    expect(new URL(href).host).toBe(`demo.sites.localhost:${new URL(s.h.contentUrl).port}`)
    expect(await open.getAttribute('rel')).toContain('noopener')
    const [tab] = await Promise.all([page.context().waitForEvent('page'), open.click()])
    await tab.waitForLoadState()
    expect(await tab.title()).toBe('second version')
    await tab.close()
  })

  it('switches the live deploy, then deletes the old one after a confirmation', async () => {
    await deployRow(older).getByRole('button', { name: 'Make live' }).click()
    await deployRow(older).getByText('Live').waitFor()
    expect((await current()).site.current).toBe(older)
    await deployRow(newer).getByRole('button', { name: 'Delete' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    expect((await current()).deploys).toHaveLength(2)
    await deployRow(newer).getByRole('button', { name: 'Delete' }).click()
    await dialog.getByText(/deleted from demo for good/).waitFor()
    await dialog.getByRole('button', { name: 'Delete deploy' }).click()
    await deployRow(newer).waitFor({ state: 'detached' })
    expect((await current()).deploys.map((d) => d.id)).toEqual([older])
    expect((await s.h.stored('prototypes')).some((k) => k.includes(newer))).toBe(false)
    // The live deploy offers neither switch nor delete.
    expect(await deployRow(older).getByRole('button').count()).toBe(0)
  })

  it('offers only what the credential may do, and no Sites page to one that cannot see sites', async () => {
    await signInWith(await key([{ bucket: 'prototypes', prefix: 'sites/demo/', permissions: ['list'] }]))
    await page.getByRole('link', { name: 'Sites' }).click()
    await deployRow(older).waitFor()
    expect(await page.getByRole('button', { name: 'Make live' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0)

    const until = new Date(Date.now() + 3_600_000).toISOString()
    await signInWith(await key([{ bucket: 'documents', permissions: ['read', 'list', 'write'] }], until))
    // The badge of an expiring key shows once whoami has answered: the shell knows what the key may do.
    await page.locator('.credential').waitFor()
    expect(await page.getByRole('link', { name: 'Sites' }).count()).toBe(0)
  })

  it('ran without page errors or CSP violations', () => {
    expect(s.problems).toEqual([])
  })
})
