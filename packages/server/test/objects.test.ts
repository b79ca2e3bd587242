import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, PERSISTENCES, startHarness } from './harness.ts'

describe.each(PERSISTENCES)('objects over HTTP (%s index)', (persistence) => {
  let h: Harness
  const put = (key: string, body: BodyInit, headers: Record<string, string> = {}) =>
    h.fetch(`/v1/buckets/documents/objects/${key}`, { method: 'PUT', token: h.admin, body, headers })
  const get = (key: string, headers: Record<string, string> = {}) =>
    h.fetch(`/v1/buckets/documents/objects/${key}`, { token: h.admin, headers })

  beforeAll(async () => {
    h = await startHarness(persistence)
  })
  afterAll(() => h?.close())

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
    expect(response.headers.get('content-disposition')).toBeNull()
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
    const missing = await h.fetch('/v1/buckets/documents/objects/nothing', { method: 'HEAD', token: h.admin })
    expect(missing.status).toBe(404)
  })

  it('deletes idempotently with 204', async () => {
    await put('gone.txt', 'x')
    const del = () => h.fetch('/v1/buckets/documents/objects/gone.txt', { method: 'DELETE', token: h.admin })
    expect((await del()).status).toBe(204)
    expect((await del()).status).toBe(204)
    const after = await get('gone.txt')
    expect(after.status).toBe(404)
    expect(await after.json()).toMatchObject({
      code: 'NotFound',
      status: 404,
      detail: 'no object at "gone.txt"',
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
})
