import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from './harness.ts'

interface Point {
  day: string
  series: string
  bytesIn: number
  bytesOut: number
  requests: number
}

describe('GET /v1/usage/series', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness('sqlite')
  })
  afterAll(() => h?.close())

  async function keyNamed(name: string, bucket: string): Promise<string> {
    const response = await h.fetch('/v1/keys', {
      method: 'POST',
      token: h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, scopes: [{ bucket, permissions: ['read', 'write'] }] }),
    })
    return ((await response.json()) as { token: string }).token
  }
  const put = (bucket: string, key: string, bytes: number, token: string) =>
    h.fetch(`/v1/buckets/${bucket}/objects/${key}`, { method: 'PUT', token, body: 'x'.repeat(bytes) })
  async function points(by: string, token = h.admin): Promise<Point[]> {
    const response = await h.fetch(`/v1/usage/series?by=${by}&days=7`, { token })
    expect(response.status).toBe(200)
    return ((await response.json()) as { points: Point[] }).points
  }

  it('sums traffic per day by bucket and by key name, for service admins only', async () => {
    // Two keys of one name (a key made again) make one series; a third name makes its own.
    const first = await keyNamed('app backend', 'documents')
    const again = await keyNamed('app backend', 'exports')
    const other = await keyNamed('reporting', 'exports')
    expect((await put('documents', 'a', 100, first)).status).toBe(200)
    expect((await put('exports', 'b', 200, again)).status).toBe(200)
    expect((await put('exports', 'c', 50, other)).status).toBe(200)
    const today = new Date().toISOString().slice(0, 10)
    // Counts reach the index when each response has finished, just after the client has it.
    await expect
      .poll(async () => (await points('name')).find((p) => p.series === 'app backend')?.bytesIn)
      .toBe(300)
    const byName = await points('name')
    expect(byName.find((p) => p.series === 'app backend')).toEqual({
      day: today,
      series: 'app backend',
      bytesIn: 300,
      bytesOut: 0,
      requests: 2,
    })
    expect(byName.find((p) => p.series === 'reporting')).toMatchObject({ bytesIn: 50, requests: 1 })
    const byBucket = await points('bucket')
    expect(byBucket.find((p) => p.series === 'documents')).toMatchObject({ day: today, bytesIn: 100 })
    expect(byBucket.find((p) => p.series === 'exports')).toMatchObject({ day: today, bytesIn: 250 })
    expect((await h.fetch('/v1/usage/series', { token: first })).status).toBe(403)
    expect((await h.fetch('/v1/usage/series?by=owner', { token: h.admin })).status).toBe(400)
  })
})
