import { request } from 'node:http'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from './harness.ts'
import { putBytes } from './image-fixtures.ts'

/** How long a poll waits for the service's state on a busy machine (a bound, not a speed target). */
const WAIT_MS = 15_000

/**
 * An upload into a bucket that strips metadata whose body arrives in two halves, the second when
 * the test says: stripping spools the body inside a render slot, so the slot is held until then.
 */
function heldUpload(h: Harness, path: string, body: Buffer) {
  const half = Math.floor(body.length / 2)
  const req = request(`${h.url}/v1/buckets/${path}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${h.admin}`,
      'content-type': 'image/png',
      'content-length': body.length,
    },
  })
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (response) => {
      response.resume()
      response.on('end', () => resolve(response.statusCode ?? 0))
    })
    req.on('error', reject)
  })
  req.write(body.subarray(0, half))
  return { status, finish: () => req.end(body.subarray(half)) }
}

/** The past-the-limit answer of renders: 503 with Retry-After at once, and service again after. */
describe('renders past the queue limit', () => {
  let h: Harness
  let picture: Buffer

  /** The render queue's gauges from /metrics. */
  const load = async () => {
    const text = await (await h.fetch('/metrics', { token: h.admin })).text()
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN)
    return { running: gauge('coffer_image_renders_running'), queued: gauge('coffer_image_renders_queued') }
  }
  const until = async (what: string, ok: (l: { running: number; queued: number }) => boolean) => {
    const deadline = Date.now() + WAIT_MS
    for (let l = await load(); !ok(l); l = await load()) {
      if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(l)}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  const render = (w: number) => fetch(`${h.contentUrl}/render/pics/a.png?w=${w}&format=png`)
  const widthOf = async (response: Response) =>
    (await sharp(Buffer.from(await response.arrayBuffer())).metadata()).width

  beforeAll(async () => {
    // One render at a time and one waiting: the third concurrent one is past the limit.
    h = await startHarness('sqlite', { imageLimits: { concurrency: 1, maxQueued: 1 } })
    const created = await h.fetch(
      '/v1/buckets',
      json({ name: 'pics', public: true, stripMetadata: true }, { token: h.admin }),
    )
    expect(created.status).toBe(201)
    picture = await sharp({ create: { width: 120, height: 80, channels: 3, background: '#3080c0' } })
      .png()
      .toBuffer()
    await putBytes(h, 'pics/objects/a.png', picture, 'image/png')
    await until('idle after the first upload', (l) => l.running === 0 && l.queued === 0)
  })
  afterAll(() => h?.close())

  it('answers 503 with Retry-After while the queue is full, then renders again', async () => {
    const upload = heldUpload(h, 'pics/objects/held.png', picture)
    await until('the held upload takes the slot', (l) => l.running === 1)
    const waiting = render(30)
    await until('a render waits for the slot', (l) => l.queued === 1)

    const refused = await render(31)
    expect(refused.status).toBe(503)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await refused.json()).toMatchObject({ status: 503, code: 'Unavailable' })

    upload.finish()
    expect(await upload.status).toBe(200)
    const served = await waiting
    expect(served.status).toBe(200)
    expect(await widthOf(served)).toBe(30)
    const recovered = await render(31)
    expect(recovered.status).toBe(200)
    expect(await widthOf(recovered)).toBe(31)
    await until('idle again', (l) => l.running === 0 && l.queued === 0)
  })
})
