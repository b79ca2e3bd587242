import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from './harness.ts'

describe('folder markers in a bucket with type, size and quota rules', () => {
  let h: Harness
  const put = (key: string, body: Uint8Array<ArrayBuffer> | string, type?: string) =>
    h.fetch(`/v1/buckets/strict/objects/${key}`, {
      method: 'PUT',
      token: h.admin,
      body,
      ...(type ? { headers: { 'content-type': type } } : {}),
    })

  beforeAll(async () => {
    h = await startHarness('sqlite')
    const created = await h.fetch('/v1/buckets', {
      method: 'POST',
      token: h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'strict',
        allowedTypes: ['image/png'],
        maxFileSize: 16,
        quotaBytes: 16,
        quotaObjects: 1,
      }),
    })
    expect(created.status).toBe(201)
  })
  afterAll(() => h?.close())

  it('accepts a zero-byte folder marker whatever its type, even in a full bucket', async () => {
    expect((await put('one.png', new Uint8Array(16), 'image/png')).status).toBe(200)
    // The quota (one object, 16 bytes) is full now, and the marker is no PNG: it is stored anyway.
    expect((await put('photos/', new Uint8Array(0))).status).toBe(200)
    expect((await put('photos/2024/', new Uint8Array(0), 'text/plain')).status).toBe(200)
    const listing = (await (
      await h.fetch('/v1/buckets/strict/objects?prefix=photos/', { token: h.admin })
    ).json()) as { objects: { key: string; size: number }[] }
    expect(listing.objects.map((o) => [o.key, o.size])).toEqual([
      ['photos/', 0],
      ['photos/2024/', 0],
    ])
  })

  it('keeps the rules for everything else, a marker with bytes included', async () => {
    // Refused by the full quota or the type: whichever rule speaks first, nothing is stored.
    expect((await put('photos/x/', 'not empty', 'image/png')).status).toBeGreaterThanOrEqual(400)
    expect((await put('notes.txt', 'text', 'text/plain')).status).toBeGreaterThanOrEqual(400)
    expect((await put('two.png', new Uint8Array(4), 'image/png')).status).toBeGreaterThanOrEqual(400)
    for (const key of ['photos/x/', 'notes.txt', 'two.png']) {
      const head = await h.fetch(`/v1/buckets/strict/objects/${key}`, { method: 'HEAD', token: h.admin })
      expect(head.status).toBe(404)
    }
  })
})
