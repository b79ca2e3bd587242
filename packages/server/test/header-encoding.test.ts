import { IngestStream, normalizeKey } from '@coffer/core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { filesUnder, type Harness, json, startHarness, testStorages } from './harness.ts'

const storages = testStorages()

/** A string of the UTF-8 bytes of `text`, one char per byte: how a client sends raw UTF-8 in a header. */
const utf8Bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1')
/** The inverse: what a header value read as Latin-1 (as `fetch` reads it) says in UTF-8. */
const fromUtf8Bytes = (value: string | null) =>
  value === null ? null : Buffer.from(value, 'latin1').toString()

/** The file name a `Content-Disposition` names in `filename*` (RFC 8187, UTF-8). */
function extendedName(header: string | null): string | undefined {
  const match = /filename\*=UTF-8''([^;]+)/.exec(header ?? '')
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1])
}

/** tus's Upload-Metadata: comma-separated `name base64(value)` pairs. */
const tusMetadata = (meta: Record<string, string>) =>
  Object.entries(meta)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',')

describe.each(['fs', 's3'] as const)('non-Latin keys and header values (%s driver)', (driver) => {
  let h: Harness
  const path = (key: string) => `/v1/buckets/documents/objects/${encodeURIComponent(key)}`

  beforeAll(async () => {
    if (await storages.ready(driver)) h = await storages.start(driver, 'sqlite')
  })
  beforeEach(({ skip }) => storages.skipUnavailable(driver, skip))
  afterAll(() => h?.close())

  it.each(['фото.txt', '😀 smile.txt', 'café.txt'])(
    'round-trips %s, its metadata and its disposition through upload, GET, HEAD, list and a signed GET',
    async (key) => {
      const note = `${key} — note ✓`
      const put = await h.fetch(path(key), {
        method: 'PUT',
        token: h.admin,
        body: `bytes of ${key}`,
        headers: {
          'content-type': 'Text/Plain; Charset=UTF-8',
          'x-coffer-meta-note': utf8Bytes(note),
          'content-disposition': utf8Bytes(`inline; filename="${key}"`),
        },
      })
      expect(put.status).toBe(200)
      expect(await put.json()).toMatchObject({
        key,
        contentType: 'text/plain;charset=UTF-8',
        metadata: { note },
      })

      for (const method of ['GET', 'HEAD']) {
        const response = await h.fetch(path(key), { method, token: h.admin })
        expect(response.status, method).toBe(200)
        expect(response.headers.get('content-type')).toBe('text/plain;charset=UTF-8')
        expect(fromUtf8Bytes(response.headers.get('x-coffer-meta-note'))).toBe(note)
        // The API origin never renders a body: an attachment, named after the key.
        const disposition = response.headers.get('content-disposition')
        expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/)
        expect(extendedName(disposition)).toBe(key)
        if (method === 'GET') expect(await response.text()).toBe(`bytes of ${key}`)
      }
      // The content origin answers with the stored disposition.
      const plain = await h.fetch(
        '/v1/buckets/documents/sign',
        json({ key, method: 'GET', expiresIn: 600 }, { token: h.admin }),
      )
      const stored = (await fetch(((await plain.json()) as { url: string }).url)).headers.get(
        'content-disposition',
      )
      expect(stored).toMatch(/^inline; filename="[\x20-\x7e]+"; filename\*=UTF-8''/)
      expect(extendedName(stored)).toBe(key)
      const download = await h.fetch(`${path(key)}?download`, { token: h.admin })
      expect(extendedName(download.headers.get('content-disposition'))).toBe(key)

      const listed = await h.fetch('/v1/buckets/documents/objects?limit=1000', { token: h.admin })
      expect(listed.status).toBe(200)
      const keys = ((await listed.json()) as { objects: { key: string }[] }).objects.map((o) => o.key)
      expect(keys).toContain(key)

      // A pinned disposition with a non-Latin-1 name used to fail every use of the URL with 500.
      const signed = await h.fetch(
        '/v1/buckets/documents/sign',
        json(
          { key, method: 'GET', expiresIn: 600, contentDisposition: `attachment; filename="ваш ${key}"` },
          { token: h.admin },
        ),
      )
      expect(signed.status).toBe(200)
      const { url } = (await signed.json()) as { url: string }
      // S3's presigned URLs are for the method they were signed for; Coffer's take HEAD too.
      for (const method of driver === 's3' ? ['GET'] : ['GET', 'HEAD']) {
        const response = await fetch(url, { method })
        expect(response.status, method).toBe(200)
        expect(extendedName(response.headers.get('content-disposition'))).toBe(`ваш ${key}`)
      }
      expect(await (await fetch(url)).text()).toBe(`bytes of ${key}`)
    },
  )

  it('keeps a metadata value sent as Latin-1 bytes (not UTF-8) as the Latin-1 text it is', async () => {
    const response = await h.fetch(path('latin1.txt'), {
      method: 'PUT',
      token: h.admin,
      body: 'x',
      headers: { 'x-coffer-meta-city': 'Besan\u00e7on' },
    })
    expect(await response.json()).toMatchObject({ metadata: { city: 'Besançon' } })
    const got = await h.fetch(path('latin1.txt'), { token: h.admin })
    expect(fromUtf8Bytes(got.headers.get('x-coffer-meta-city'))).toBe('Besançon')
  })
})

describe('types and dispositions refused when accepted, never at serving time (fs driver)', () => {
  let h: Harness
  const sign = (body: Record<string, unknown>) =>
    h.fetch(
      '/v1/buckets/documents/sign',
      json({ method: 'GET', expiresIn: 600, ...body }, { token: h.admin }),
    )
  const problem = async (response: Response) => ({
    status: response.status,
    code: ((await response.json()) as { code: string }).code,
  })

  beforeAll(async () => {
    h = await startHarness('sqlite')
    await h.fetch('/v1/buckets/documents/objects/notes.txt', { method: 'PUT', token: h.admin, body: 'notes' })
  })
  afterAll(() => h?.close())

  it('refuses a type list or a malformed type on a raw PUT, before storing anything (F1)', async () => {
    for (const type of [
      'image/png;,text/html',
      'image/png, text/html',
      '*/*',
      'image/png; a="x',
      'text/plain; a=é',
    ]) {
      const response = await h.fetch('/v1/buckets/avatars/objects/u1/pic.png', {
        method: 'PUT',
        token: h.admin,
        body: 'hi <img src=x onerror=alert(1)>',
        headers: { 'content-type': type },
      })
      expect(await problem(response), type).toEqual({ status: 400, code: 'InvalidArgument' })
    }
    expect(await filesUnder(`${h.filesDir}/objects/avatars`)).toEqual([])
  })

  it('refuses bad pinned types and dispositions when signing, with 400 (F8)', async () => {
    for (const pins of [
      { contentType: 'text/plain;,text/html', contentDisposition: 'inline' },
      { contentType: 'text/plain; charset="фото"' },
      { contentType: 'nonsense' },
      { contentDisposition: 'inline; filename="a\u0000b"' },
      { contentDisposition: 'form-data; name="x"' },
      { contentDisposition: 'inline; size=3' },
      { contentDisposition: "attachment; filename*=UTF-8''%FF" },
    ]) {
      expect(await problem(await sign({ key: 'notes.txt', ...pins })), JSON.stringify(pins)).toEqual({
        status: 400,
        code: 'InvalidArgument',
      })
    }
    const put = await h.fetch(
      '/v1/buckets/documents/sign',
      json(
        { key: 'up.png', method: 'PUT', expiresIn: 600, contentType: 'image/png;,text/html' },
        { token: h.admin },
      ),
    )
    expect(await problem(put)).toEqual({ status: 400, code: 'InvalidArgument' })
  })

  it('pins the canonical type, which a signed PUT may declare in any spelling', async () => {
    const get = await sign({ key: 'notes.txt', contentType: 'Text/Plain ; Charset=UTF-8' })
    const { url } = (await get.json()) as { url: string }
    expect(new URL(url).searchParams.get('X-Coffer-Content-Type')).toBe('text/plain;charset=UTF-8')
    expect((await fetch(url)).headers.get('content-type')).toBe('text/plain;charset=UTF-8')

    const put = await h.fetch(
      '/v1/buckets/documents/sign',
      json({ key: 'up.txt', method: 'PUT', expiresIn: 600, contentType: 'text/plain' }, { token: h.admin }),
    )
    const upload = ((await put.json()) as { url: string }).url
    const attack = await fetch(upload, {
      method: 'PUT',
      body: 'hi <img src=x onerror=alert(1)>',
      headers: { 'content-type': 'text/plain;,text/html' },
    })
    expect(await problem(attack)).toEqual({ status: 400, code: 'InvalidArgument' })
    const other = await fetch(upload, { method: 'PUT', body: 'x', headers: { 'content-type': 'text/csv' } })
    expect(await problem(other)).toEqual({ status: 403, code: 'AccessDenied' })
    const ok = await fetch(upload, { method: 'PUT', body: 'fine', headers: { 'content-type': 'TEXT/plain' } })
    expect(ok.status).toBe(200)
  })

  it('refuses a tus contentType that is a list or not Latin-1 at creation, leaving no session', async () => {
    for (const contentType of ['image/png;,text/html', 'text/plain; charset="фото"']) {
      const response = await h.fetch('/v1/uploads', {
        method: 'POST',
        token: h.admin,
        headers: {
          'tus-resumable': '1.0.0',
          'upload-length': '5',
          'upload-metadata': tusMetadata({ bucket: 'avatars', key: 'u1/tus.png', contentType }),
        },
      })
      expect(await problem(response), contentType).toEqual({ status: 400, code: 'InvalidArgument' })
    }
    expect(await h.db.selectFrom('upload_sessions').selectAll().execute()).toEqual([])
  })

  it('refuses a form part whose type a browser would read as another', async () => {
    for (const type of ['"image/png;,text/html"', 'image/png";,text/html', 'image/png,text/html']) {
      const boundary = 'xyzzy'
      const body =
        `--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\nu1/form.png\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="form.png"\r\n` +
        `Content-Type: ${type}\r\n\r\nhi <img src=x onerror=alert(1)>\r\n--${boundary}--\r\n`
      const response = await h.fetch('/v1/buckets/avatars/objects', {
        method: 'POST',
        token: h.admin,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
      })
      expect(await problem(response), type).toEqual({ status: 400, code: 'InvalidArgument' })
    }
    expect(await filesUnder(`${h.filesDir}/objects/avatars`)).toEqual([])
  })

  it('serves a stored type or disposition that does not parse as an attachment of bytes, not a 500', async () => {
    // As older data, or an object written to the store behind Coffer's back, may hold them.
    const body = new IngestStream({ md5: true })
    body.end('hi <img src=x onerror=alert(1)>')
    await h.storage.driver.put(normalizeKey('avatars/u1/legacy.png'), body, {
      contentType: 'image/png;,text/html',
      contentDisposition: 'inline; filename="фото.png"',
      cacheControl: 'max-age=60, ☃',
      metadata: { ok: 'yes' },
      visibility: 'public',
    })
    for (const method of ['GET', 'HEAD']) {
      const response = await fetch(`${h.contentUrl}/public/avatars/u1/legacy.png`, { method })
      expect(response.status, method).toBe(200)
      expect(response.headers.get('content-type')).toBe('application/octet-stream')
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="legacy.png"/)
      expect(response.headers.get('content-security-policy')).toContain('sandbox')
      expect(response.headers.get('cache-control')).toBeNull()
      expect(response.headers.get('x-coffer-meta-ok')).toBe('yes')
    }
  })
})
