import { request as httpRequest } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Harness, json, PNG_HEAD, rawRequest, streamOf, testStorages, VARIANTS } from './harness.ts'

// The object routes on every driver (see VARIANTS).
const storages = testStorages()

const MiB = 1024 * 1024
describe.each(VARIANTS)(
  'objects over HTTP ($driver driver, $persistence index)',
  ({ driver, persistence }) => {
    let h: Harness
    const put = (key: string, body: BodyInit, headers: Record<string, string> = {}) =>
      h.fetch(`/v1/buckets/documents/objects/${key}`, { method: 'PUT', token: h.admin, body, headers })
    const get = (key: string, headers: Record<string, string> = {}) =>
      h.fetch(`/v1/buckets/documents/objects/${key}`, { token: h.admin, headers })
    const sign = async (bucket: string, body: Record<string, unknown>) => {
      const response = await h.fetch(`/v1/buckets/${bucket}/sign`, json(body, { token: h.admin }))
      expect(response.status).toBe(200)
      return ((await response.json()) as { url: string }).url
    }

    beforeAll(async () => {
      if (!(await storages.ready(driver))) return
      h = await storages.start(driver, persistence)
      // A policy bucket that only refused uploads reach, so that it must stay empty.
      const strict = { name: 'strict', maxFileSize: 9 * MiB, allowedTypes: ['image/*', 'text/plain'] }
      expect((await h.fetch('/v1/buckets', json(strict, { token: h.admin }))).status).toBe(201)
    })
    afterAll(() => h?.close())
    beforeEach(({ skip }) => storages.skipUnavailable(driver, skip))

    it('stores a raw body and streams it back with its type, etag, metadata and nosniff', async () => {
      const put1 = await put('projects/p1/notes.txt', 'hello, world', {
        'content-type': 'text/plain',
        'x-coffer-meta-owner': 'u_7',
        'x-coffer-meta-note': 'café',
      })
      expect(put1.status).toBe(200)
      const info = (await put1.json()) as Record<string, unknown>
      expect(info).toMatchObject({ key: 'projects/p1/notes.txt', size: 12, contentType: 'text/plain' })
      expect(info.metadata).toEqual({ owner: 'u_7', note: 'café' })
      expect(put1.headers.get('etag')).toBe(info.etag)

      const response = await get('projects/p1/notes.txt')
      expect(response.status).toBe(200)
      expect(await response.text()).toBe('hello, world')
      expect(response.headers.get('content-type')).toBe('text/plain')
      expect(response.headers.get('content-length')).toBe('12')
      expect(response.headers.get('etag')).toBe(info.etag)
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('x-coffer-meta-owner')).toBe('u_7')
      expect(Buffer.from(response.headers.get('x-coffer-meta-note') ?? '', 'latin1').toString('utf8')).toBe(
        'café',
      )
      // The API origin never renders user bytes: every type is an attachment (see content-origin.test.ts).
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="notes.txt"; filename*=UTF-8''notes.txt`,
      )
    })

    it('takes percent-encoded segments and keeps the key as Unicode', async () => {
      const key = `${encodeURIComponent('dossier été')}/${encodeURIComponent('a?b#c%d.txt')}`
      expect((await put(key, 'x')).status).toBe(200)
      const list = await h.fetch('/v1/buckets/documents/objects?prefix=dossier', { token: h.admin })
      const { objects } = (await list.json()) as { objects: { key: string }[] }
      expect(objects.map((o) => o.key)).toEqual(['dossier été/a?b#c%d.txt'])
      expect(await (await get(key)).text()).toBe('x')
    })

    it('answers ranges with 206, unsatisfiable ones with 416, and ignores multi-ranges', async () => {
      await put('range.bin', '0123456789')
      const part = await get('range.bin', { range: 'bytes=2-5' })
      expect(part.status).toBe(206)
      expect(part.headers.get('content-range')).toBe('bytes 2-5/10')
      expect(await part.text()).toBe('2345')
      const suffix = await get('range.bin', { range: 'bytes=-3' })
      expect(await suffix.text()).toBe('789')
      const beyond = await get('range.bin', { range: 'bytes=20-' })
      expect(beyond.status).toBe(416)
      expect(beyond.headers.get('content-range')).toBe('bytes */10')
      expect(beyond.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(((await beyond.json()) as { code: string }).code).toBe('InvalidRange')
      const multi = await get('range.bin', { range: 'bytes=0-1,4-5' })
      expect(multi.status).toBe(200)
      expect(await multi.text()).toBe('0123456789')
    })

    it('answers If-None-Match with 304 and no body', async () => {
      const etag = (await put('cached.txt', 'v1')).headers.get('etag') as string
      const same = await get('cached.txt', { 'if-none-match': etag })
      expect(same.status).toBe(304)
      expect(same.headers.get('etag')).toBe(etag)
      expect(await same.text()).toBe('')
      expect((await get('cached.txt', { 'if-none-match': '"other"' })).status).toBe(200)
    })

    it('serves ?download as an attachment named after the key, in ASCII and UTF-8', async () => {
      await put('exports/Réunion 1.pdf', '%PDF-1.4 fake', { 'content-type': 'application/pdf' })
      const response = await h.fetch(
        `/v1/buckets/documents/objects/exports/${encodeURIComponent('Réunion 1.pdf')}?download`,
        {
          token: h.admin,
        },
      )
      expect(response.status).toBe(200)
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="R_union 1.pdf"; filename*=UTF-8''R%C3%A9union%201.pdf`,
      )
    })

    it('answers HEAD with the headers of GET and no body', async () => {
      await put('head.txt', 'twelve bytes', { 'x-coffer-meta-a': 'b' })
      const response = await h.fetch('/v1/buckets/documents/objects/head.txt', {
        method: 'HEAD',
        token: h.admin,
      })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-length')).toBe('12')
      expect(response.headers.get('x-coffer-meta-a')).toBe('b')
      expect(await response.text()).toBe('')
      const missing = await h.fetch('/v1/buckets/documents/objects/nothing', {
        method: 'HEAD',
        token: h.admin,
      })
      expect(missing.status).toBe(404)
    })

    it('deletes idempotently with 204', async () => {
      await put('gone.txt', 'x')
      const del = () =>
        h.fetch('/v1/buckets/documents/objects/gone.txt', { method: 'DELETE', token: h.admin })
      expect((await del()).status).toBe(204)
      expect((await del()).status).toBe(204)
      const after = await get('gone.txt')
      expect(after.status).toBe(404)
      expect(await after.json()).toMatchObject({
        code: 'NotFound',
        status: 404,
        // fs says `no object at "…"`; the S3 driver prefixes its operation ("reading the object: ").
        detail: expect.stringContaining('no object at "gone.txt"'),
      })
    })

    it("lists with prefix, delimiter, limit and cursor, without other buckets' objects", async () => {
      for (const key of ['l/a.txt', 'l/b/1.txt', 'l/b/2.txt', 'l/c.txt']) await put(key, key)
      await h.fetch('/v1/buckets/exports/objects/l/z.txt', {
        method: 'PUT',
        token: h.admin,
        body: 'other bucket',
      })
      const first = await h.fetch('/v1/buckets/documents/objects?prefix=l/&delimiter=/&limit=2', {
        token: h.admin,
      })
      const page1 = (await first.json()) as {
        objects: { key: string; size: number }[]
        prefixes: string[]
        cursor?: string
      }
      expect(page1.objects.map((o) => o.key)).toEqual(['l/a.txt'])
      expect(page1.prefixes).toEqual(['l/b/'])
      expect(page1.cursor).toBeTypeOf('string')
      const next = await h.fetch(
        `/v1/buckets/documents/objects?prefix=l/&delimiter=/&limit=2&cursor=${page1.cursor}`,
        {
          token: h.admin,
        },
      )
      const page2 = (await next.json()) as { objects: { key: string }[]; prefixes: string[]; cursor?: string }
      expect(page2).toEqual({ objects: [expect.objectContaining({ key: 'l/c.txt', size: 7 })], prefixes: [] })
      const bad = await h.fetch('/v1/buckets/documents/objects?limit=5000', { token: h.admin })
      expect(bad.status).toBe(400)
    })

    it('deletes a batch of keys, or a prefix, and reports what it deleted', async () => {
      for (const key of ['batch/1', 'batch/2', 'batch/sub/3', 'keep']) await put(key, 'x')
      const byKeys = await h.fetch(
        '/v1/buckets/documents/delete',
        json({ keys: ['batch/1', 'missing'] }, { token: h.admin }),
      )
      expect(await byKeys.json()).toEqual({ deleted: ['batch/1', 'missing'], errors: [] })
      const byPrefix = await h.fetch(
        '/v1/buckets/documents/delete',
        json({ prefix: 'batch/' }, { token: h.admin }),
      )
      expect(await byPrefix.json()).toEqual({ deleted: ['batch/2', 'batch/sub/3'], errors: [] })
      expect((await get('keep')).status).toBe(200)
      const empty = await h.fetch('/v1/buckets/documents/delete', json({ prefix: '' }, { token: h.admin }))
      expect(empty.status).toBe(400)
      expect((await get('keep')).status).toBe(200)
    })

    it('copies and moves within a bucket', async () => {
      await put('src.txt', 'payload', { 'x-coffer-meta-k': 'v' })
      const copy = await h.fetch(
        '/v1/buckets/documents/copy',
        json({ from: 'src.txt', to: 'copy.txt' }, { token: h.admin }),
      )
      expect(copy.status).toBe(200)
      expect(await copy.json()).toMatchObject({ key: 'copy.txt', size: 7, metadata: { k: 'v' } })
      const move = await h.fetch(
        '/v1/buckets/documents/move',
        json({ from: 'copy.txt', to: 'moved/m.txt' }, { token: h.admin }),
      )
      expect(await move.json()).toMatchObject({ key: 'moved/m.txt', size: 7 })
      expect((await get('copy.txt')).status).toBe(404)
      expect(await (await get('moved/m.txt')).text()).toBe('payload')
      const missing = await h.fetch(
        '/v1/buckets/documents/copy',
        json({ from: 'nope', to: 'x' }, { token: h.admin }),
      )
      expect(missing.status).toBe(404)
    })

    it('answers an unknown bucket or route with a problem document', async () => {
      const response = await h.fetch('/v1/buckets/nope/objects/x', { token: h.admin })
      expect(response.status).toBe(404)
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(await response.json()).toEqual({
        type: 'urn:coffer:error:NotFound',
        title: 'Not Found',
        status: 404,
        detail: 'no bucket "nope"',
        code: 'NotFound',
      })
      expect((await h.fetch('/v2/anything')).status).toBe(404)
    })
    it('signs GET URLs that read one key without credentials, and nothing else, until they expire', async () => {
      await put('share/report.txt', 'the report')
      const short = await sign('documents', { key: 'share/report.txt', method: 'GET', expiresIn: 1 })
      const signedAt = Date.now()
      const url = await sign('documents', { key: 'share/report.txt', method: 'GET', expiresIn: 600 })
      const query = new URL(url).searchParams
      // Coffer's own URL on every driver, S3 included: it dies with the key that signed it.
      expect(url.startsWith(`${h.contentUrl}/signed/documents/share/report.txt?`)).toBe(true)
      const response = await fetch(url)
      expect(response.status).toBe(200)
      expect(await response.text()).toBe('the report')
      const ranged = await fetch(url, { headers: { range: 'bytes=4-9' } })
      expect(ranged.status).toBe(206)
      expect(await ranged.text()).toBe('report')

      // Another key, a forged signature, no signature, another method: refused (by Ceph itself on S3).
      const forged = new URL(url)
      const signatureParam = [...query.keys()].find((name) => /signature/i.test(name)) as string
      forged.searchParams.set(
        signatureParam,
        (query.get(signatureParam) as string).replace(/^./, (c) => (c === 'a' ? 'b' : 'a')),
      )
      for (const bad of [
        url.replace('report.txt', 'other.txt'),
        forged.toString(),
        url.split('?')[0] as string,
      ]) {
        const refused = await fetch(bad)
        expect(refused.status, bad).toBe(403)
        await refused.body?.cancel()
      }
      const overwrite = await fetch(url, { method: 'PUT', body: 'overwritten' })
      expect(overwrite.status).toBe(403)
      await overwrite.body?.cancel()

      await new Promise((resolve) => setTimeout(resolve, Math.max(0, signedAt + 2100 - Date.now())))
      const expired = await fetch(short)
      expect(expired.status).toBe(403)
      await expired.body?.cancel()
      expect(await (await get('share/report.txt')).text()).toBe('the report')
    })

    it('signs PUT URLs pinning the content type, which stream through Coffer on every driver', async () => {
      const url = await sign('documents', {
        key: 'uploads/u.csv',
        method: 'PUT',
        expiresIn: 60,
        contentType: 'text/csv',
      })
      // Even where the store signs its own URLs (S3): the index, quotas and audit trail see every write.
      expect(url.startsWith(`${h.contentUrl}/signed/documents/uploads/u.csv?`)).toBe(true)
      const wrongType = await fetch(url, {
        method: 'PUT',
        body: 'a,b',
        headers: { 'content-type': 'text/plain' },
      })
      expect(wrongType.status).toBe(403)
      await wrongType.body?.cancel()
      const upload = await fetch(url, { method: 'PUT', body: 'a,b', headers: { 'content-type': 'text/csv' } })
      expect(upload.status).toBe(200)
      await upload.body?.cancel()
      const read = await get('uploads/u.csv')
      expect(read.status).toBe(200)
      expect(read.headers.get('content-type')).toBe('text/csv')
      expect(await read.text()).toBe('a,b')
      const list = await h.fetch('/v1/buckets/documents/objects?prefix=uploads/', { token: h.admin })
      expect(await list.json()).toMatchObject({ objects: [{ key: 'uploads/u.csv', size: 3 }] })

      // Coffer enforces the avatars policy (image/*, 5 MiB) on signed uploads.
      const avatar = await sign('avatars', { key: 'me.png', method: 'PUT', expiresIn: 60 })
      expect(avatar.startsWith(`${h.contentUrl}/signed/avatars/me.png?`)).toBe(true)
      const html = await fetch(avatar, { method: 'PUT', body: '<html><script>1</script></html>' })
      expect(html.status).toBe(415)
      expect(await h.stored('avatars')).toEqual([])
      const png = await fetch(avatar, { method: 'PUT', body: PNG_HEAD })
      expect(png.status).toBe(200)
      expect(await png.json()).toMatchObject({
        key: 'me.png',
        contentType: 'image/png',
        visibility: 'public',
      })
      const served = await fetch(`${h.contentUrl}/public/avatars/me.png`)
      expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG_HEAD)
    })

    it('stops a streamed upload over the size limit with 413, leaving nothing behind', async () => {
      // 12 MiB, chunked, into a 9 MiB limit: on S3 the first 8 MiB part is sent before the limit is hit.
      const response = await h.fetch('/v1/buckets/strict/objects/big.png', {
        method: 'PUT',
        token: h.admin,
        body: streamOf(PNG_HEAD, 12 * MiB),
        duplex: 'half',
      } as RequestInit)
      expect(response.status).toBe(413)
      expect(await response.json()).toMatchObject({ code: 'TooLarge' })
      expect((await h.fetch('/v1/buckets/strict/objects/big.png', { token: h.admin })).status).toBe(404)
      expect(await h.stored('strict')).toEqual([])

      const declared = await h.fetch('/v1/buckets/strict/objects/declared.png', {
        method: 'PUT',
        token: h.admin,
        body: Buffer.concat([PNG_HEAD, Buffer.alloc(10 * MiB)]),
      })
      expect(declared.status).toBe(413)
      expect(await h.stored('strict')).toEqual([])
    })

    it('refuses a type the bucket does not allow with 415, whatever type was declared, storing nothing', async () => {
      const response = await h.fetch('/v1/buckets/strict/objects/evil.png', {
        method: 'PUT',
        token: h.admin,
        body: '<!doctype html><script>alert(1)</script>',
        headers: { 'content-type': 'image/png' },
      })
      expect(response.status).toBe(415)
      expect(await response.json()).toMatchObject({ code: 'UnsupportedMediaType', status: 415 })
      expect(await h.stored('strict')).toEqual([])
    })

    it('creates only with If-None-Match: * (412 when the key exists)', async () => {
      // On Ceph the S3 driver checks, then writes (`conditionalWrites: false`): same answers.
      const create = () => put('once.txt', 'first', { 'if-none-match': '*' })
      expect((await create()).status).toBe(200)
      const again = await create()
      expect(again.status).toBe(412)
      expect(await again.json()).toMatchObject({ code: 'PreconditionFailed' })
      expect(await (await get('once.txt')).text()).toBe('first')
    })

    it('leaves nothing when the client disconnects mid-upload', async () => {
      const { hostname, port } = new URL(h.url)
      const req = httpRequest({
        hostname,
        port,
        method: 'PUT',
        path: '/v1/buckets/documents/objects/cut.bin',
        headers: { authorization: `Bearer ${h.admin}`, 'content-length': String(20 * MiB) },
      })
      req.on('error', () => undefined)
      // Past the S3 driver's 8 MiB part: on S3 a multipart upload is under way, on fs a temp file.
      req.write(Buffer.alloc(9 * MiB))
      const partial = (stored: string[]) => stored.filter((f) => f.includes('cut') || f.includes('~tmp-'))
      let during: string[] = []
      for (let i = 0; i < 100 && during.length === 0; i++) {
        await sleep(50)
        during = partial(await h.stored('documents'))
      }
      expect(during).toEqual([
        expect.stringMatching(driver === 's3' ? /^\(unfinished upload\) documents\/cut\.bin$/ : /~tmp-/),
      ])
      req.destroy()
      let left = during
      for (let i = 0; i < 100 && left.length > 0; i++) {
        await sleep(50)
        left = partial(await h.stored('documents'))
      }
      expect(left).toEqual([])
      expect((await get('cut.bin')).status).toBe(404)
    })

    it('refuses invalid keys with 400 InvalidKey', async () => {
      for (const key of ['a//b', '%2E%2E/etc/passwd', 'a/%2E/b', 'nul%00byte', 'back%5Cslash', '']) {
        const response = await rawRequest(
          h.url,
          `GET /v1/buckets/documents/objects/${key} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${h.admin}\r\nConnection: close\r\n\r\n`,
        )
        expect(response.status, key).toBe(400)
        expect(response.text, key).toContain('"code":"InvalidKey"')
      }
      const outside = await put('a/..%2F..%2Fescape', 'x')
      expect(outside.status).toBe(400)
      expect((await h.stored('documents')).filter((k) => k.includes('escape'))).toEqual([])
    })
  },
)
