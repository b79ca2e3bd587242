import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { filesUnder, type Harness, json, PERSISTENCES, startHarness } from './harness.ts'

describe.each(PERSISTENCES)('signed URLs (%s index)', (persistence) => {
  let h: Harness
  const sign = async (body: Record<string, unknown>, bucket = 'documents') => {
    const response = await h.fetch(`/v1/buckets/${bucket}/sign`, json(body, { token: h.admin }))
    expect(response.status).toBe(200)
    return (await response.json()) as { url: string; expiresAt: string }
  }

  beforeAll(async () => {
    h = await startHarness(persistence)
    await h.fetch('/v1/buckets/documents/objects/share/report.txt', {
      method: 'PUT',
      token: h.admin,
      body: 'the report',
    })
  })
  afterAll(() => h?.close())

  it('grants GET on one key without credentials until it expires', async () => {
    const before = Date.now()
    const { url, expiresAt } = await sign({ key: 'share/report.txt', method: 'GET', expiresIn: 600 })
    expect(url.startsWith(`${h.contentUrl}/signed/documents/share/report.txt?`)).toBe(true)
    expect(Date.parse(expiresAt) - before).toBeGreaterThan(598_000)
    const response = await fetch(url)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('the report')
    const ranged = await fetch(url, { headers: { range: 'bytes=4-9' } })
    expect(await ranged.text()).toBe('report')
    expect((await fetch(url, { method: 'HEAD' })).headers.get('content-length')).toBe('10')
  })

  it('refuses a tampered, expired or wrong-method URL with 403', async () => {
    const { url } = await sign({ key: 'share/report.txt', method: 'GET', expiresIn: 600 })
    const other = url.replace('report.txt', 'other.txt')
    const later = new URL(url)
    later.searchParams.set(
      'X-Coffer-Expires',
      String(Number(later.searchParams.get('X-Coffer-Expires')) + 3600),
    )
    const forged = new URL(url)
    forged.searchParams.set('X-Coffer-Signature', 'A'.repeat(43))
    for (const bad of [other, later.toString(), forged.toString(), url.split('?')[0] as string]) {
      const response = await fetch(bad)
      expect(response.status, bad).toBe(403)
      expect(((await response.json()) as { code: string }).code).toBe('AccessDenied')
    }
    const put = await fetch(url, { method: 'PUT', body: 'overwrite' })
    expect(put.status).toBe(403)
    expect(((await put.json()) as { detail: string }).detail).toContain('signed for GET')

    const short = await sign({ key: 'share/report.txt', method: 'GET', expiresIn: 1 })
    await new Promise((resolve) => setTimeout(resolve, 2100))
    const expired = await fetch(short.url)
    expect(expired.status).toBe(403)
    expect(((await expired.json()) as { detail: string }).detail).toContain('expired')
    expect(
      await (await h.fetch('/v1/buckets/documents/objects/share/report.txt', { token: h.admin })).text(),
    ).toBe('the report')
  })

  it('grants PUT of one key, with the pinned content type and the bucket policy', async () => {
    const { url } = await sign({
      key: 'uploads/u.csv',
      method: 'PUT',
      expiresIn: 60,
      contentType: 'text/csv',
    })
    expect(
      (await fetch(url, { method: 'PUT', body: 'a,b', headers: { 'content-type': 'text/plain' } })).status,
    ).toBe(403)
    const put = await fetch(url, { method: 'PUT', body: 'a,b', headers: { 'content-type': 'text/csv' } })
    expect(put.status).toBe(200)
    expect(await put.json()).toMatchObject({ key: 'uploads/u.csv', contentType: 'text/csv', size: 3 })
    expect((await fetch(url)).status).toBe(403)

    const avatar = await sign({ key: 'me.png', method: 'PUT', expiresIn: 60 }, 'avatars')
    const html = await fetch(avatar.url, { method: 'PUT', body: '<html><script>1</script></html>' })
    expect(html.status).toBe(415)
    expect((await filesUnder(h.filesDir)).some((f) => f.startsWith('objects/avatars'))).toBe(false)
  })

  it('refuses to sign without the sign permission, or beyond 7 days', async () => {
    const reader = await h.key([{ bucket: 'documents', permissions: ['read'] }])
    const denied = await h.fetch(
      '/v1/buckets/documents/sign',
      json({ key: 'share/report.txt', method: 'GET', expiresIn: 60 }, { token: reader }),
    )
    expect(denied.status).toBe(403)
    const signer = await h.key([{ bucket: 'documents', permissions: ['sign', 'read'] }])
    const put = await h.fetch(
      '/v1/buckets/documents/sign',
      json({ key: 'x', method: 'PUT', expiresIn: 60 }, { token: signer }),
    )
    expect(put.status).toBe(403)
    const long = await h.fetch(
      '/v1/buckets/documents/sign',
      json({ key: 'x', method: 'GET', expiresIn: 8 * 86400 }, { token: h.admin }),
    )
    expect(long.status).toBe(400)
  })
})

describe('signed URLs behind a configured content URL', () => {
  it('name COFFER_CONTENT_URL, and the content origin still verifies them on its own path', async () => {
    const h = await startHarness('sqlite', {
      publicUrl: 'https://files.example.com',
      contentUrl: 'https://files-usercontent.example.com/coffer',
    })
    try {
      await h.fetch('/v1/buckets/exports/objects/q.csv', { method: 'PUT', token: h.admin, body: 'a,b' })
      const response = await h.fetch(
        '/v1/buckets/exports/sign',
        json({ key: 'q.csv', method: 'GET', expiresIn: 60 }, { token: h.admin }),
      )
      const { url } = (await response.json()) as { url: string }
      expect(url.startsWith('https://files-usercontent.example.com/coffer/signed/exports/q.csv?')).toBe(true)
      // As a reverse proxy would forward it, without its path prefix.
      const local = url.replace('https://files-usercontent.example.com/coffer', h.contentUrl)
      expect(await (await fetch(local)).text()).toBe('a,b')
    } finally {
      await h.close()
    }
  })
})

describe('signed URLs on a driver that signs its own (as S3 does)', () => {
  it("hand out the driver's URLs for downloads, and Coffer's for every upload", async () => {
    const presign = async (key: string, opts: { method: string }) =>
      `https://store.example.com/${key}?method=${opts.method}`
    const h = await startHarness('sqlite', { presign })
    try {
      const urlOf = async (bucket: string, method: string) => {
        const response = await h.fetch(
          `/v1/buckets/${bucket}/sign`,
          json({ key: 'f.png', method, expiresIn: 60 }, { token: h.admin }),
        )
        return ((await response.json()) as { url: string }).url
      }
      expect(await urlOf('documents', 'GET')).toBe('https://store.example.com/documents/f.png?method=GET')
      expect((await urlOf('documents', 'PUT')).startsWith(`${h.contentUrl}/signed/documents/f.png?`)).toBe(
        true,
      )
      expect(await urlOf('avatars', 'GET')).toBe('https://store.example.com/avatars/f.png?method=GET')
      const upload = await urlOf('avatars', 'PUT')
      expect(upload.startsWith(`${h.contentUrl}/signed/avatars/f.png?`)).toBe(true)
      expect((await fetch(upload, { method: 'PUT', body: '<html></html>' })).status).toBe(415)
    } finally {
      await h.close()
    }
  })
})
