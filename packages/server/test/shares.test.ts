import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ShareStore } from '../src/domain/shares/share-store.ts'
import { type Harness, PERSISTENCES, startHarness } from './harness.ts'

interface ShareBody {
  id: string
  url: string
  key: string
  downloads: number
  maxDownloads?: number
  expiresAt: string
  createdByName: string
}

const BODY = 'a shared file, forty bytes long........\n'

describe.each(PERSISTENCES)('shares (%s)', (persistence) => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness(persistence)
    for (const key of ['team/a.txt', 'team/b.txt', 'other/c.txt']) {
      const put = await h.fetch(`/v1/buckets/documents/objects/${key}`, {
        method: 'PUT',
        token: h.admin,
        headers: { 'content-type': 'text/plain' },
        body: BODY,
      })
      expect(put.status).toBe(200)
    }
  })
  afterAll(() => h?.close())

  async function share(token: string, body: Record<string, unknown>, bucket = 'documents') {
    return h.fetch(`/v1/buckets/${bucket}/shares`, {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  }
  async function made(token: string, body: Record<string, unknown>): Promise<ShareBody> {
    const response = await share(token, body)
    expect(response.status, await response.clone().text()).toBe(201)
    return (await response.json()) as ShareBody
  }
  async function listed(token: string, bucket = 'documents'): Promise<ShareBody[]> {
    const response = await h.fetch(`/v1/buckets/${bucket}/shares`, { token })
    expect(response.status).toBe(200)
    return ((await response.json()) as { shares: ShareBody[] }).shares
  }
  const revoke = (token: string, id: string) =>
    h.fetch(`/v1/buckets/documents/shares/${id}`, { method: 'DELETE', token })

  it('makes a link on the content origin that downloads the object and counts each download', async () => {
    const created = await made(h.admin, { key: 'team/a.txt', expiresIn: 3600 })
    expect(created.url.startsWith(`${h.contentUrl}/share/`)).toBe(true)
    expect(created.downloads).toBe(0)
    expect(Date.parse(created.expiresAt) - Date.now()).toBeGreaterThan(3500_000)
    // The API origin serves no share link: the link is the content origin's alone.
    expect((await fetch(created.url.replace(h.contentUrl, h.url))).status).toBe(404)
    for (let i = 0; i < 2; i++) {
      const response = await fetch(created.url)
      expect(response.status).toBe(200)
      expect(await response.text()).toBe(BODY)
      expect(response.headers.get('cache-control')).toBe('no-store')
    }
    const [again] = (await listed(h.admin)).filter((s) => s.id === created.id)
    expect(again?.downloads).toBe(2)
    expect(again?.url).toBe(created.url)
    // The listing narrows to one key's shares.
    const other = await made(h.admin, { key: 'team/b.txt' })
    const ofKey = await h.fetch('/v1/buckets/documents/shares?key=team/b.txt', { token: h.admin })
    expect(((await ofKey.json()) as { shares: ShareBody[] }).shares.map((s) => s.id)).toEqual([other.id])
    await revoke(h.admin, other.id)
  })

  it('stops at the maximum, while a resume of the last download still completes', async () => {
    const created = await made(h.admin, { key: 'team/a.txt', maxDownloads: 1 })
    const first = await fetch(created.url, { headers: { range: 'bytes=0-9' } })
    expect(first.status).toBe(206)
    expect(await first.text()).toBe(BODY.slice(0, 10))
    // The rest of the same download: a range from a later byte counts no download.
    const rest = await fetch(created.url, { headers: { range: 'bytes=10-' } })
    expect(rest.status).toBe(206)
    expect(await rest.text()).toBe(BODY.slice(10))
    const second = await fetch(created.url)
    expect(second.status).toBe(404)
    expect(((await second.json()) as { detail: string }).detail).toMatch(/as many times as it allows/)
    // A spent link tells nothing more about its file: not its size, its etag or its metadata.
    const head = await fetch(created.url, { method: 'HEAD' })
    expect(head.status).toBe(404)
    expect(head.headers.get('etag')).toBeNull()
    // Ranges cannot fetch copy after copy either: at most one spare copy's bytes go out.
    const ranges = []
    for (let i = 0; i < 3; i++)
      ranges.push((await fetch(created.url, { headers: { range: 'bytes=1-' } })).status)
    expect(ranges).toEqual([206, 404, 404])
    const [row] = (await listed(h.admin)).filter((s) => s.id === created.id)
    expect(row?.downloads).toBe(1)
  })

  it('spends no download on an answer that sends no bytes (If-None-Match: * or the etag, weak or not)', async () => {
    const created = await made(h.admin, { key: 'team/a.txt', maxDownloads: 1 })
    const etag = (await fetch(created.url, { method: 'HEAD' })).headers.get('etag') as string
    for (const condition of ['*', etag, `W/${etag}`]) {
      const answer = await fetch(created.url, { headers: { 'if-none-match': condition } })
      expect(answer.status, condition).toBe(304)
    }
    const [row] = (await listed(h.admin)).filter((s) => s.id === created.id)
    expect(row?.downloads).toBe(0)
    expect((await fetch(created.url)).status).toBe(200)
    await revoke(h.admin, created.id)
  })

  it('counts concurrent downloads against the maximum without passing it', async () => {
    const created = await made(h.admin, { key: 'team/b.txt', maxDownloads: 3 })
    const statuses = await Promise.all(
      Array.from({ length: 8 }, () => fetch(created.url).then((r) => r.status)),
    )
    expect(statuses.filter((s) => s === 200)).toHaveLength(3)
    expect(statuses.filter((s) => s === 404)).toHaveLength(5)
  })

  it('kills the link at once when the share is revoked, and when its maker is revoked', async () => {
    const created = await made(h.admin, { key: 'team/a.txt' })
    expect((await fetch(created.url)).status).toBe(200)
    expect((await revoke(h.admin, created.id)).status).toBe(204)
    const after = await fetch(created.url)
    expect(after.status).toBe(404)
    expect(((await after.json()) as { code: string; detail: string }).detail).toMatch(/revoked/)
    expect((await listed(h.admin)).some((s) => s.id === created.id)).toBe(false)

    const keyResponse = await h.fetch('/v1/keys', {
      method: 'POST',
      token: h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'sharer',
        scopes: [{ bucket: 'documents', permissions: ['read', 'sign'] }],
      }),
    })
    const { token, key } = (await keyResponse.json()) as { token: string; key: { id: string } }
    const theirs = await made(token, { key: 'team/a.txt' })
    expect(theirs.createdByName).toBe('sharer')
    expect((await fetch(theirs.url)).status).toBe(200)
    expect((await h.fetch(`/v1/keys/${key.id}`, { method: 'DELETE', token: h.admin })).status).toBe(204)
    expect((await fetch(theirs.url)).status).toBe(404)
  })

  it('answers an expired link with 404, and a link with a wrong MAC as unknown', async () => {
    const created = await made(h.admin, { key: 'team/a.txt' })
    await h.db
      .updateTable('shares')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', created.id)
      .execute()
    const expired = await fetch(created.url)
    expect(expired.status).toBe(404)
    expect(((await expired.json()) as { detail: string }).detail).toMatch(/expired/)
    const forged = `${created.url.slice(0, -4)}AAAA`
    const unknown = await fetch(forged)
    expect(unknown.status).toBe(404)
    expect(((await unknown.json()) as { detail: string }).detail).toMatch(/does not exist/)
  })

  it('serves an uploaded page as an inert attachment, as signed URLs do', async () => {
    const put = await h.fetch('/v1/buckets/documents/objects/team/page.html', {
      method: 'PUT',
      token: h.admin,
      headers: { 'content-type': 'text/html' },
      body: '<script>parent.postMessage(document.cookie, "*")</script>',
    })
    expect(put.status).toBe(200)
    const created = await made(h.admin, { key: 'team/page.html' })
    for (const url of [created.url, `${created.url}?download`]) {
      const response = await fetch(url, { headers: { accept: 'text/html' } })
      expect(response.status).toBe(200)
      if (!url.endsWith('?download')) {
        // A browser first gets Coffer's own page, never the upload.
        expect(await response.text()).not.toContain('<script>parent')
        continue
      }
      expect(response.headers.get('content-disposition')).toMatch(/^attachment/)
      expect(response.headers.get('content-security-policy')).toContain('sandbox')
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    }
  })

  it('shows a browser the file and a Download button first, which alone counts', async () => {
    const key = 'team/a<b>&"q\'.txt'
    const put = await h.fetch(
      `/v1/buckets/documents/objects/${key.split('/').map(encodeURIComponent).join('/')}`,
      {
        method: 'PUT',
        token: h.admin,
        body: BODY,
      },
    )
    expect(put.status).toBe(200)
    const created = await made(h.admin, { key, maxDownloads: 2 })
    const page = () => fetch(created.url, { headers: { accept: 'text/html,*/*;q=0.8' } })
    const landing = await page()
    expect(landing.status).toBe(200)
    expect(landing.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(landing.headers.get('content-security-policy')).toContain("default-src 'none'")
    const html = await landing.text()
    // The file's name is escaped: it can never become markup.
    expect(html).toContain('<h1>a&lt;b&gt;&amp;&quot;q&#39;.txt</h1>')
    expect(html).toContain('40 bytes')
    expect(html).toContain('2 downloads left.')
    expect(html).toContain('<a class="button" href="?download">Download</a>')
    expect((await page()).status).toBe(200)
    const downloads = async () => (await listed(h.admin)).find((s) => s.id === created.id)?.downloads
    expect(await downloads()).toBe(0)

    const download = await fetch(`${created.url}?download`, { headers: { accept: 'text/html' } })
    expect(download.status).toBe(200)
    expect(download.headers.get('content-disposition')).toMatch(/^attachment/)
    expect(await download.text()).toBe(BODY)
    expect(await downloads()).toBe(1)
    expect(await (await page()).text()).toContain('1 download left.')
    await (await fetch(`${created.url}?download`)).arrayBuffer()
    const spent = await page()
    expect(spent.status).toBe(404)
    expect(await spent.text()).toContain('<h1>Download limit reached</h1>')
  })

  it('gives a browser a small static page, under a strict CSP, instead of JSON', async () => {
    const created = await made(h.admin, { key: 'team/a.txt' })
    await revoke(h.admin, created.id)
    const response = await fetch(created.url, {
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    })
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const csp = response.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('script-src')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    const html = await response.text()
    expect(html).toContain('<h1>Link revoked</h1>')
    expect(html).not.toContain('<script')
    // Nothing of the request comes back: neither the key nor the token.
    expect(html).not.toContain('a.txt')
    expect(html).not.toContain(created.id)
  })

  it('keeps the expiry between 15 minutes and the bucket maximum, which may pass 7 days', async () => {
    expect((await share(h.admin, { key: 'team/a.txt', expiresIn: 60 })).status).toBe(400)
    expect((await share(h.admin, { key: 'team/a.txt', expiresIn: 8 * 86400 })).status).toBe(400)
    const patched = await h.fetch('/v1/buckets/documents', {
      method: 'PATCH',
      token: h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ maxShareSeconds: 30 * 86400 }),
    })
    expect(patched.status).toBe(200)
    expect(((await patched.json()) as { maxShareSeconds: number }).maxShareSeconds).toBe(30 * 86400)
    const long = await made(h.admin, { key: 'team/a.txt', expiresIn: 30 * 86400 })
    expect(Date.parse(long.expiresAt) - Date.now()).toBeGreaterThan(29 * 86400_000)
    // Without an expiry, a share lasts 7 days (or the bucket's longest, when shorter).
    const byDefault = await made(h.admin, { key: 'team/a.txt' })
    const left = Date.parse(byDefault.expiresAt) - Date.now()
    expect(left).toBeGreaterThan(7 * 86400_000 - 60_000)
    expect(left).toBeLessThanOrEqual(7 * 86400_000)
    const tooLong = await share(h.admin, { key: 'team/a.txt', expiresIn: 31 * 86400 })
    expect(((await tooLong.json()) as { detail: string }).detail).toBe(
      'links to files of bucket "documents" last 30 days at most',
    )
    expect((await share(h.admin, { key: 'team/missing.txt' })).status).toBe(404)
  })

  it('lets a scoped key share and list only under its scope, and only its own shares', async () => {
    const team = await h.key([{ bucket: 'documents', prefix: 'team', permissions: ['read', 'sign'] }])
    const viewer = await h.key([{ bucket: 'documents', prefix: 'team', permissions: ['read', 'list'] }])
    expect((await share(team, { key: 'other/c.txt' })).status).toBe(403)
    expect((await share(team, { key: 'team/a.txt' }, 'exports')).status).toBe(403)
    expect((await share(viewer, { key: 'team/a.txt' })).status).toBe(403)
    const mine = await made(team, { key: 'team/b.txt' })
    const adminShare = await made(h.admin, { key: 'team/b.txt' })
    const seen = await listed(team)
    expect(seen.map((s) => s.id)).toEqual([mine.id])
    // Another's share: neither listed nor revocable (it reads as missing).
    expect((await revoke(team, adminShare.id)).status).toBe(404)
    expect((await h.fetch('/v1/buckets/documents/shares', { token: viewer })).status).toBe(403)
    expect((await h.fetch('/v1/buckets/exports/shares', { token: team })).status).toBe(403)
    expect((await h.fetch('/v1/buckets/no-such-bucket/shares', { token: team })).status).toBe(403)
    expect((await h.fetch('/v1/buckets/no-such-bucket/shares', { token: h.admin })).status).toBe(404)
    // A bucket admin sees and revokes every share of the bucket.
    expect((await listed(h.admin)).map((s) => s.id)).toContain(mine.id)
    expect((await revoke(h.admin, mine.id)).status).toBe(204)
    // The service-wide list by key name is for service admins.
    expect((await h.fetch('/v1/shares?name=test%20key', { token: team })).status).toBe(403)
    const byName = await h.fetch('/v1/shares?name=test%20key', { token: h.admin })
    expect(((await byName.json()) as { shares: ShareBody[] }).shares).toEqual([])
    const live = await made(team, { key: 'team/a.txt' })
    const again = await h.fetch('/v1/shares?name=test%20key', { token: h.admin })
    expect(((await again.json()) as { shares: ShareBody[] }).shares.map((s) => s.id)).toEqual([live.id])
  })

  it('charges objects past 4 GiB without overflow, to the byte', async () => {
    const store = new ShareStore(h.db, 'a test secret')
    const share = await store.create({
      bucket: 'documents',
      key: 'huge.bin',
      createdBy: 'key:x',
      createdByName: 'x',
      expiresAt: new Date(Date.now() + 3600_000),
      maxDownloads: 1,
    })
    const size = 5 * 1024 ** 3
    expect(await store.charge(share.id, { start: 0, length: size, size })).toBe(true)
    // The spare copy: exactly one more object's worth of ranges, not a byte more.
    expect(await store.charge(share.id, { start: 1, length: size - 1, size })).toBe(true)
    expect(await store.charge(share.id, { start: size - 1, length: 1, size })).toBe(true)
    expect(await store.charge(share.id, { start: size - 1, length: 1, size })).toBe(false)
    expect(await store.charge(share.id, { start: 0, length: 1, size })).toBe(false)
    expect((await store.find(share.id))?.downloads).toBe(1)
  })

  it('records making and revoking in the audit trail, and keeps the token out of the log', async () => {
    const created = await made(h.admin, { key: 'team/a.txt' })
    await fetch(created.url)
    await revoke(h.admin, created.id)
    const audit = await h.fetch('/v1/audit?action=share.revoke&limit=5', { token: h.admin })
    const { events } = (await audit.json()) as { events: { key: string; detail: { id: string } }[] }
    expect(events[0]).toMatchObject({ key: 'team/a.txt', detail: { id: created.id } })
    const mac = created.url.slice(created.url.lastIndexOf('.') + 1)
    expect(h.logs.some((line) => line.includes('/share/'))).toBe(true)
    expect(h.logs.some((line) => line.includes(mac))).toBe(false)
  })
})
