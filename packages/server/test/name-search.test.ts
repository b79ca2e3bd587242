import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, PERSISTENCES, startHarness } from './harness.ts'

interface Listed {
  objects: { key: string }[]
  prefixes: string[]
  cursor?: string
}

describe.each(PERSISTENCES)('searching names through every folder (%s index)', (persistence) => {
  let h: Harness
  const keys = [
    'alice/summer/beach.jpg',
    'alice/summer/notes.txt',
    'alice/Summer-plan.txt',
    'alice/winter/summer_2024.png',
    'bob/summer.txt',
    'bob/summer/secret.txt',
    'summer/',
    'top-SUMMER.md',
    'odd/100%_summer.txt',
  ]
  const list = async (query: string, token = h.admin) => {
    const response = await h.fetch(`/v1/buckets/docs/objects?${query}`, { token })
    return { status: response.status, body: (await response.json()) as Listed }
  }
  /** Every key a search finds, page after page. */
  const found = async (query: string, token = h.admin) => {
    const seen: string[] = []
    let cursor: string | undefined
    for (let page = 0; page < 100; page++) {
      const { status, body } = await list(
        query + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''),
        token,
      )
      expect(status, JSON.stringify(body)).toBe(200)
      seen.push(...body.objects.map((o) => o.key))
      cursor = body.cursor
      if (cursor === undefined) break
    }
    return seen
  }

  beforeAll(async () => {
    h = await startHarness(persistence)
    expect((await h.fetch('/v1/buckets', json({ name: 'docs' }, { token: h.admin }))).status).toBe(201)
    for (const key of keys) {
      const put = await h.fetch(`/v1/buckets/docs/objects/${encodeURI(key)}`, {
        method: 'PUT',
        token: h.admin,
        // Bytes, not a string: fetch would label a string text/plain, and the type comes from the name.
        body: new TextEncoder().encode(key.endsWith('/') ? '' : key),
      })
      expect(put.status, key).toBeLessThan(300)
    }
  })
  afterAll(() => h?.close())

  it('matches the name only (not the folders above it), ignoring ASCII case, in every folder', async () => {
    expect(await found('name=summer')).toEqual([
      'alice/Summer-plan.txt',
      'alice/winter/summer_2024.png',
      'bob/summer.txt',
      'odd/100%_summer.txt',
      'top-SUMMER.md',
    ])
    // `q` still matches the whole key, folders included.
    expect(await found('q=summer')).toContain('alice/summer/beach.jpg')
  })

  it('takes LIKE wildcards literally and combines with a prefix, a type and a sort', async () => {
    expect(await found('name=%25_')).toEqual(['odd/100%_summer.txt'])
    expect(await found('name=_')).toEqual(['alice/winter/summer_2024.png', 'odd/100%_summer.txt'])
    expect(await found('name=summer&prefix=alice/')).toEqual([
      'alice/Summer-plan.txt',
      'alice/winter/summer_2024.png',
    ])
    expect(await found('name=summer&type=text/markdown')).toEqual(['top-SUMMER.md'])
    expect(await found('name=summer&sort=name&order=desc')).toEqual([
      'top-SUMMER.md',
      'odd/100%_summer.txt',
      'bob/summer.txt',
      'alice/winter/summer_2024.png',
      'alice/Summer-plan.txt',
    ])
  })

  it('pages with a cursor, nothing lost or repeated', async () => {
    const pages: string[][] = []
    let cursor: string | undefined
    do {
      const { body } = await list(
        `name=summer&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      )
      pages.push(body.objects.map((o) => o.key))
      cursor = body.cursor
    } while (cursor !== undefined && pages.length < 10)
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1])
    expect(pages.flat()).toEqual(await found('name=summer'))
  })

  it('keeps a prefix-scoped key inside its prefix: the bucket-wide search is refused, its own works', async () => {
    const alice = await h.key([{ bucket: 'docs', prefix: 'alice/', permissions: ['read', 'list'] }])
    const whole = await list('name=summer', alice)
    expect(whole.status).toBe(403)
    expect(JSON.stringify(whole.body)).not.toContain('bob/')
    const tricky = await list('name=summer&prefix=alice/../bob/', alice)
    expect(tricky.status).toBeGreaterThanOrEqual(400)
    expect(JSON.stringify(tricky.body)).not.toContain('secret')
    expect(await found('name=summer&prefix=alice/', alice)).toEqual([
      'alice/Summer-plan.txt',
      'alice/winter/summer_2024.png',
    ])
    // A string prefix `al` is not the folder `alice/`: refused too, so no name of `alice2/…` leaks either way.
    expect((await list('name=summer&prefix=al', alice)).status).toBe(403)
  })

  it('refuses a search text over 256 characters with a typed error', async () => {
    const { status, body } = await list(`name=${'x'.repeat(257)}`)
    expect(status).toBe(400)
    expect(JSON.stringify(body)).not.toContain('/querystring')
  })

  it('is refused with source=store (the store cannot search)', async () => {
    const { status } = await list('name=summer&source=store')
    expect(status).toBe(400)
  })
})
