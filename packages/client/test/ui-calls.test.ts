import sharp from 'sharp'
import { expect, it } from 'vitest'
import { phonePhoto } from '../../server/test/image-fixtures.ts'
import { tarGzOf } from '../../server/test/sites/archives.ts'
import { isCofferError } from '../src/index.ts'
import { useClient } from './client-fixture.ts'

// The calls a web UI makes beside the object calls: a page of signed thumbnails, zip links, the
// sites it may manage, usage charts and audit pages.
const f = useClient()

it('signs renders for many keys with one request per thousand, each URL rendering its own key', async () => {
  await f.client.objects.upload('documents', 'ui/a.jpg', await phonePhoto(300, 200))
  await f.client.objects.upload('documents', 'ui/b.jpg', await phonePhoto(200, 300))
  // The service checks the credential on each key, not that it exists: 1001 keys, two requests.
  const keys = ['ui/a.jpg', 'ui/b.jpg', ...Array.from({ length: 999 }, (_, i) => `ui/more/${i}.jpg`)]
  const before = f.requests.length
  const { urls, expiresAt } = await f.client.objects.signRenders('documents', keys, 'w=40,h=40,format=png', {
    expiresIn: 600,
  })
  expect(f.requests.slice(before)).toEqual([
    'POST /v1/buckets/documents/render-urls',
    'POST /v1/buckets/documents/render-urls',
  ])
  expect(urls.map((u) => u.key)).toEqual(keys)
  expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(600_000)
  const rendered = await fetch(urls[1]?.url ?? '')
  expect(rendered.status).toBe(200)
  const meta = await sharp(Buffer.from(await rendered.arrayBuffer())).metadata()
  expect([meta.format, meta.width, meta.height]).toEqual(['png', 40, 40])

  const scoped = f.clientWith(
    await f.harness.key([{ bucket: 'documents', prefix: 'ui/', permissions: ['read', 'list'] }]),
  )
  const refused = await scoped.objects.signRenders('documents', ['ui/a.jpg'], 'w=20').catch((e) => e)
  expect(isCofferError(refused, 'AccessDenied')).toBe(true)
})

it('makes a zip link that downloads the selection without a credential', async () => {
  await f.client.objects.upload('documents', 'zip/one.txt', 'one')
  await f.client.objects.upload('documents', 'zip/sub/two.txt', 'two')
  const link = await f.client.objects.zipLink('documents', ['zip/one.txt', 'zip/sub/'], { base: 'zip/' })
  expect([link.files, link.bytes]).toEqual([2, 6])
  const response = await fetch(link.url)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toBe('application/zip')
  const bytes = Buffer.from(await response.arrayBuffer())
  expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK')
  expect(bytes.includes('sub/two.txt')).toBe(true)
  const missing = await f.client.objects.zipLink('documents', ['zip/none.txt']).catch((e) => e)
  expect(isCofferError(missing)).toBe(true)
})

it('lists the sites the credential manages', async () => {
  const page = [{ name: 'index.html', data: '<!doctype html><p>ui</p>' }]
  await f.client.sites.deploy('ui-listed', await tarGzOf(page))
  const sites = await f.client.sites.list()
  expect(sites.find((site) => site.name === 'ui-listed')?.current).toBeDefined()
  const outsider = f.clientWith(await f.harness.key([{ bucket: 'documents', permissions: ['read'] }]))
  expect((await outsider.sites.list()).map((site) => site.name)).not.toContain('ui-listed')
})

it('reads usage series for charts, for service admins only', async () => {
  await f.client.objects.upload('exports', 'series.txt', 'x'.repeat(100))
  // Counts reach the index when each response has finished, just after the client has it.
  await expect
    .poll(async () => (await f.client.usageSeries('bucket', { days: 7 })).find((p) => p.series === 'exports'))
    .toMatchObject({ bytesIn: 100, requests: 1 })
  const scoped = f.clientWith(await f.harness.key([{ bucket: 'exports', permissions: ['read'] }]))
  const refused = await scoped.usageSeries('name').catch((e) => e)
  expect(isCofferError(refused, 'AccessDenied')).toBe(true)
})

it('reads the audit trail a page at a time, empty filters not filtering', async () => {
  await f.client.objects.upload('documents', 'audit/1.txt', '1')
  await f.client.objects.upload('documents', 'audit/2.txt', '2')
  const first = await f.client.auditPage({ bucket: 'documents', action: '', limit: 1 })
  expect(first.events).toHaveLength(1)
  expect(first.cursor).toBeDefined()
  const second = await f.client.auditPage({ bucket: 'documents', limit: 1, cursor: first.cursor })
  expect(second.events[0]?.id).not.toBe(first.events[0]?.id)
  expect([first.events[0]?.bucket, second.events[0]?.bucket]).toEqual(['documents', 'documents'])
})
