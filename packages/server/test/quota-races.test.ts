import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, PERSISTENCES, startHarness } from './harness.ts'

const QUOTA = 30_000
const SIZE = 10_000

/**
 * Quota races as an attacker runs them: an overwrite is credited with the size of the object it
 * replaces, and a move takes that object away while the overwrite's bytes are still arriving.
 */
describe.each(PERSISTENCES)('quota under overwrite + move cycles (fs driver, %s index)', (persistence) => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness(persistence)
    const created = await h.fetch(
      '/v1/buckets',
      json({ name: 'race', quotaBytes: QUOTA }, { token: h.admin }),
    )
    expect(created.status).toBe(201)
  })
  afterAll(() => h?.close())

  /** Waits until the service is writing an upload of the bucket (its temp file exists). */
  async function uploadStarted(): Promise<void> {
    for (let attempt = 0; attempt < 400; attempt++) {
      if ((await h.stored('race')).some((file) => file.includes('~tmp-'))) return
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    throw new Error('the upload never started')
  }

  /** Bytes the bucket holds: as the index counts them, and as the store holds them. */
  async function usage(): Promise<{ counted: number; stored: number }> {
    const bucket = (await (await h.fetch('/v1/buckets/race', { token: h.admin })).json()) as {
      usedBytes: number
    }
    const listed = await h.fetch('/v1/buckets/race/objects?source=store', { token: h.admin })
    const { objects } = (await listed.json()) as { objects: { size: number }[] }
    return { counted: bucket.usedBytes, stored: objects.reduce((sum, o) => sum + o.size, 0) }
  }

  it('never lets usage pass the quota', async () => {
    const first = await h.fetch('/v1/buckets/race/objects/a.bin', {
      method: 'PUT',
      token: h.admin,
      body: 'a'.repeat(SIZE),
    })
    expect(first.status).toBe(200)
    for (let cycle = 1; cycle <= 4; cycle++) {
      // The overwrite of a.bin reserves nothing (it is credited with a.bin's size)...
      let finish: (() => void) | undefined
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(Buffer.alloc(SIZE / 2, 'b'))
          finish = () => {
            controller.enqueue(Buffer.alloc(SIZE / 2, 'b'))
            controller.close()
          }
        },
      })
      const overwrite = h.fetch('/v1/buckets/race/objects/a.bin', {
        method: 'PUT',
        token: h.admin,
        headers: { 'content-type': 'application/octet-stream' },
        body,
        duplex: 'half',
      } as RequestInit)
      await uploadStarted()
      // ...and a.bin moves away before the overwrite's last bytes arrive.
      const moved = await h.fetch(
        '/v1/buckets/race/move',
        json({ from: 'a.bin', to: `moved-${cycle}.bin` }, { token: h.admin }),
      )
      expect(moved.status).toBe(200)
      finish?.()
      const answer = await overwrite
      expect([200, 413]).toContain(answer.status)
      const { counted, stored } = await usage()
      expect(counted, `cycle ${cycle}`).toBeLessThanOrEqual(QUOTA)
      expect(stored, `cycle ${cycle}`).toBeLessThanOrEqual(QUOTA)
      expect(counted).toBe(stored)
      if (answer.status === 413) {
        expect(await h.stored('race')).not.toContain('a.bin~')
        return
      }
    }
    throw new Error('the quota never refused an overwrite')
  })
})
