import sharp from 'sharp'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type Harness, startHarness } from './harness.ts'
import { putBytes } from './image-fixtures.ts'

/** The variant cache stays within its byte bound, dropping the least recently used renders first. */
let h: Harness
beforeAll(async () => {
  h = await startHarness('sqlite', { renderCacheBytes: 6000 })
  const noise = await sharp({
    create: {
      width: 300,
      height: 300,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 50 },
    },
  })
    .jpeg()
    .toBuffer()
  await putBytes(h, 'documents/objects/noise.jpg', noise)
})
afterAll(() => h?.close())

it('evicts the least recently used renders past the bound', async () => {
  const sizes: number[] = []
  for (const w of [40, 41, 42, 43, 44, 45]) {
    const response = await h.fetch(`/v1/buckets/documents/render/noise.jpg?w=${w}&format=png`, {
      token: h.admin,
    })
    expect(response.status).toBe(200)
    sizes.push((await response.arrayBuffer()).byteLength)
  }
  expect(sizes.reduce((a, b) => a + b)).toBeGreaterThan(6000)
  const rows = await h.db
    .selectFrom('renders')
    .select(['id', 'size', 'created_at'])
    .orderBy('created_at')
    .execute()
  expect(rows.reduce((total, row) => total + Number(row.size), 0)).toBeLessThanOrEqual(6000)
  expect(rows.length).toBeLessThan(6)
  // The newest render is kept; the store holds exactly the renders the table lists.
  expect(Number(rows.at(-1)?.size)).toBe(sizes.at(-1))
  const stored = await h.storage.listObjects({ prefix: '.coffer/renders/' })
  expect(stored.objects.map((o) => o.key.split('/').pop()).sort()).toEqual(rows.map((r) => r.id).sort())
})
