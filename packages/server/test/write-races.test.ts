import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from './harness.ts'

interface Listed {
  key: string
  size: number
  etag: string
}

/**
 * Writes of one key at once, as an app retrying an upload makes them: whatever order they reach the
 * store and the index in, the index must describe what the store holds when they are done.
 */
describe('writes of one key at once', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness('sqlite')
    expect((await h.fetch('/v1/buckets', json({ name: 'race' }, { token: h.admin }))).status).toBe(201)
  })
  afterAll(() => h?.close())

  const put = (key: string, body: string) =>
    h.fetch(`/v1/buckets/race/objects/${key}`, { method: 'PUT', token: h.admin, body }).then((r) => r.status)
  const del = (key: string) =>
    h.fetch(`/v1/buckets/race/objects/${key}`, { method: 'DELETE', token: h.admin }).then((r) => r.status)

  async function listing(source: 'index' | 'store'): Promise<Map<string, Listed>> {
    const query = source === 'store' ? '?source=store&limit=1000' : '?limit=1000'
    const listed = await h.fetch(`/v1/buckets/race/objects${query}`, { token: h.admin })
    const { objects } = (await listed.json()) as { objects: Listed[] }
    return new Map(objects.map((o) => [o.key, o]))
  }

  it('leave the index describing what the store holds, overwrites and deletes alike', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}.txt`)
    for (const [i, key] of keys.entries()) {
      // Two overwrites of different sizes, and for every third key a delete among them.
      const writes = [put(key, 'a'.repeat(1000 + i)), put(key, 'b'.repeat(5000 + i))]
      if (i % 3 === 0) writes.push(del(key))
      await Promise.all(writes)
    }
    const [indexed, stored] = [await listing('index'), await listing('store')]
    const wrong = keys.filter((key) => {
      const [row, object] = [indexed.get(key), stored.get(key)]
      return row?.etag !== object?.etag || row?.size !== object?.size
    })
    expect(wrong).toEqual([])
  })
})
