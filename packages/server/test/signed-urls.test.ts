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

  it("die with the key that signed them: a revoked key's PUT and GET URLs are refused", async () => {
    const created = await h.fetch(
      '/v1/keys',
      json(
        { name: 'uploader', scopes: [{ bucket: 'documents', permissions: ['sign', 'read', 'write'] }] },
        { token: h.admin },
      ),
    )
    const { key, token } = (await created.json()) as { key: { id: string }; token: string }
    const signAs = async (body: Record<string, unknown>) => {
      const response = await h.fetch('/v1/buckets/documents/sign', json(body, { token }))
      expect(response.status).toBe(200)
      return ((await response.json()) as { url: string }).url
    }
    const put = await signAs({ key: 'drop/x.txt', method: 'PUT', expiresIn: 604_800 })
    const get = await signAs({ key: 'drop/x.txt', method: 'GET', expiresIn: 604_800 })
    expect((await fetch(put, { method: 'PUT', body: 'first' })).status).toBe(200)
    expect(await (await fetch(get)).text()).toBe('first')
    // The audit trail names the key that signed the URL, marked as acting through it.
    const audit = await h.fetch('/v1/audit?bucket=documents&key=drop/x.txt', { token: h.admin })
    const [event] = ((await audit.json()) as { events: { actor: string; detail: unknown }[] }).events
    expect(event?.actor).toBe(`key:${key.id}`)
    expect(event?.detail).toMatchObject({ via: 'signed-url' })

    expect((await h.fetch(`/v1/keys/${key.id}`, { method: 'DELETE', token: h.admin })).status).toBe(204)
    const replayed = await fetch(put, { method: 'PUT', body: 'replayed' })
    expect(replayed.status).toBe(403)
    expect(((await replayed.json()) as { detail: string }).detail).toContain('revoked or expired')
    expect((await fetch(get)).status).toBe(403)
    expect((await fetch(get, { method: 'HEAD' })).status).toBe(403)
    const stored = await h.fetch('/v1/buckets/documents/objects/drop/x.txt', { token: h.admin })
    expect(await stored.text()).toBe('first')
  })

  it('never outlive the key that signed them', async () => {
    const expiresAt = new Date(Date.now() + 120_000).toISOString()
    const created = await h.fetch(
      '/v1/keys',
      json(
        { name: 'brief', scopes: [{ bucket: 'documents', permissions: ['sign', 'read'] }], expiresAt },
        { token: h.admin },
      ),
    )
    const { token } = (await created.json()) as { token: string }
    const response = await h.fetch(
      '/v1/buckets/documents/sign',
      json({ key: 'share/report.txt', method: 'GET', expiresIn: 604_800 }, { token }),
    )
    const signed = (await response.json()) as { url: string; expiresAt: string }
    expect(Date.parse(signed.expiresAt)).toBeLessThanOrEqual(Date.parse(expiresAt))
    expect(Number(new URL(signed.url).searchParams.get('X-Coffer-Expires')) * 1000).toBeLessThanOrEqual(
      Date.parse(expiresAt),
    )
    expect(await (await fetch(signed.url)).text()).toBe('the report')
  })

  it('refuse another spelling of the same signature bytes', async () => {
    const { url } = await sign({ key: 'share/report.txt', method: 'GET', expiresIn: 600 })
    const given = new URL(url).searchParams.get('X-Coffer-Signature') as string
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const last = given.at(-1) as string
    const spellings = [
      `${given}=`,
      `${given.slice(0, -1)}${alphabet[alphabet.indexOf(last) + 1]}`,
      Buffer.from(given, 'base64url').toString('base64'),
    ]
    for (const spelling of spellings) {
      expect(Buffer.from(spelling, 'base64url')).toEqual(Buffer.from(given, 'base64url'))
      const altered = new URL(url)
      altered.searchParams.set('X-Coffer-Signature', spelling)
      expect((await fetch(altered)).status, spelling).toBe(403)
    }
    expect((await fetch(url)).status).toBe(200)
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
  const presign = async (key: string, opts: { method: string }) =>
    `https://store.example.com/${key}?method=${opts.method}`
  const urlOf = async (h: Harness, bucket: string, method: string) => {
    const response = await h.fetch(
      `/v1/buckets/${bucket}/sign`,
      json({ key: 'f.png', method, expiresIn: 60 }, { token: h.admin }),
    )
    return ((await response.json()) as { url: string }).url
  }

  it("hand out Coffer's URLs by default, which a revoke can stop", async () => {
    const h = await startHarness('sqlite', { presign })
    try {
      for (const method of ['GET', 'PUT']) {
        expect(
          (await urlOf(h, 'documents', method)).startsWith(`${h.contentUrl}/signed/documents/f.png?`),
        ).toBe(true)
      }
      const upload = await urlOf(h, 'avatars', 'PUT')
      expect(upload.startsWith(`${h.contentUrl}/signed/avatars/f.png?`)).toBe(true)
      expect((await fetch(upload, { method: 'PUT', body: '<html></html>' })).status).toBe(415)
    } finally {
      await h.close()
    }
  })

  it("hand out the store's URLs for downloads only when the operator opts in", async () => {
    const h = await startHarness('sqlite', { presign, directSignedGets: true })
    try {
      expect(await urlOf(h, 'documents', 'GET')).toBe('https://store.example.com/documents/f.png?method=GET')
      expect((await urlOf(h, 'documents', 'PUT')).startsWith(`${h.contentUrl}/signed/documents/f.png?`)).toBe(
        true,
      )
    } finally {
      await h.close()
    }
  })
})
