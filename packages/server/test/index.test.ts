import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ObjectCatalog } from '../src/catalog/object-catalog.ts'
import { type Harness, json, PERSISTENCES, startHarness, streamOf } from './harness.ts'

interface Listed {
  objects: { key: string; size: number; etag: string; lastModified: string; contentType?: string }[]
  prefixes: string[]
  cursor?: string
}

describe.each(PERSISTENCES)('the object index (fs driver, %s index)', (persistence) => {
  let h: Harness

  beforeAll(async () => {
    h = await startHarness(persistence)
  })
  afterAll(() => h?.close())

  const put = (bucket: string, key: string, body: BodyInit, init: RequestInit & { token?: string } = {}) =>
    h.fetch(`/v1/buckets/${bucket}/objects/${key}`, { method: 'PUT', body, token: h.admin, ...init })
  const createBucket = async (name: string, policy: Record<string, unknown> = {}) => {
    const response = await h.fetch('/v1/buckets', json({ name, ...policy }, { token: h.admin }))
    expect(response.status).toBe(201)
  }
  const list = async (bucket: string, query: string): Promise<Listed> => {
    const response = await h.fetch(`/v1/buckets/${bucket}/objects?${query}`, { token: h.admin })
    const body = (await response.json()) as Listed
    expect(response.status, JSON.stringify(body)).toBe(200)
    return body
  }
  /** Every page of a listing, following cursors; `between` runs after each page. */
  const allPages = async (bucket: string, query: string, between?: (page: number) => Promise<void>) => {
    const pages: Listed[] = []
    let cursor: string | undefined
    do {
      const page = await list(bucket, query + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''))
      pages.push(page)
      cursor = page.cursor
      await between?.(pages.length)
    } while (cursor !== undefined && pages.length < 1000)
    return pages
  }
  const reservations = (bucket: string) =>
    h.db.selectFrom('reservations').selectAll().where('bucket', '=', bucket).execute()
  const keysOf = (pages: Listed[]) => pages.flatMap((p) => p.objects.map((o) => o.key))
  const bucketInfo = async (name: string) =>
    (await (await h.fetch(`/v1/buckets/${name}`, { token: h.admin })).json()) as {
      usedBytes: number
      usedObjects: number
    }

  describe('listing', () => {
    // A known set: sizes, types and times differ; keys include folders and non-ASCII names.
    const files = [
      { key: 'a.txt', body: 'a'.repeat(10), type: 'text/plain' },
      { key: 'b.csv', body: 'x,y\n'.repeat(50), type: 'text/csv' },
      { key: 'docs/report.pdf', body: `%PDF-1.4\n${'p'.repeat(300)}`, type: 'application/pdf' },
      { key: 'docs/notes.txt', body: 'n'.repeat(5), type: 'text/plain' },
      {
        key: 'docs/2026/plan.json',
        body: JSON.stringify({ plan: 'x'.repeat(40) }),
        type: 'application/json',
      },
      { key: 'images/Cat.PNG', body: 'c'.repeat(1000), type: 'image/png' },
      { key: 'images/dog.jpg', body: 'd'.repeat(2000), type: 'image/jpeg' },
      { key: 'zebra_100%.txt', body: 'z'.repeat(100), type: 'text/plain' },
      { key: 'édition/été.txt', body: 'é'.repeat(20), type: 'text/plain' },
      { key: '😀.txt', body: 'smile', type: 'text/plain' },
      // Stored as declared; the type filter matches its essence, text/plain.
      { key: 'mixed.TXT', body: 'm'.repeat(7), type: 'Text/Plain; charset=UTF-8' },
    ]
    const times: Record<string, string> = {}

    beforeAll(async () => {
      await createBucket('listing')
      for (const file of files) {
        // The PNG and JPEG names are claims only: text bytes are text, whatever their names say.
        const response = await put(
          'listing',
          encodeURIComponent(file.key).replaceAll('%2F', '/'),
          file.body,
          {
            headers: { 'content-type': file.type },
          },
        )
        expect(response.status).toBe(200)
        const info = (await response.json()) as { lastModified: string }
        times[file.key] = info.lastModified
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    })

    it('equals the store listing when unfiltered, with and without a delimiter, page by page', async () => {
      for (const query of [
        'limit=3',
        'limit=2&delimiter=/',
        'prefix=docs/&limit=1&delimiter=/',
        'limit=1000',
      ]) {
        const fromIndex = await allPages('listing', query)
        const fromStore = await allPages('listing', `${query}&source=store`)
        const shape = (pages: Listed[]) =>
          pages.map((p) => ({
            objects: p.objects.map(({ key, size, etag }) => ({ key, size, etag })),
            prefixes: p.prefixes,
            more: p.cursor !== undefined,
          }))
        expect(shape(fromIndex), query).toEqual(shape(fromStore))
      }
      const folded = await list('listing', 'delimiter=/')
      expect(folded.prefixes).toEqual(['docs/', 'images/', 'édition/'])
      expect(folded.objects.map((o) => o.key)).toEqual([
        'a.txt',
        'b.csv',
        'mixed.TXT',
        'zebra_100%.txt',
        '😀.txt',
      ])
    })

    it('filters by type with wildcards, size, modification time and name, and says what they found', async () => {
      const keys = async (query: string) => keysOf(await allPages('listing', query))
      expect(await keys('type=text/plain')).toEqual([
        'a.txt',
        'docs/notes.txt',
        'mixed.TXT',
        'zebra_100%.txt',
        'édition/été.txt',
        '😀.txt',
      ])
      expect(await keys('type=image/*')).toEqual(['images/Cat.PNG', 'images/dog.jpg'])
      expect(await keys('type=IMAGE/PNG')).toEqual(['images/Cat.PNG'])
      expect(await keys('type=*/*')).toHaveLength(files.length)
      expect(await keys('type=application/*')).toEqual(['docs/2026/plan.json', 'docs/report.pdf'])
      expect(await keys('type=text/csv,application/pdf')).toEqual(['b.csv', 'docs/report.pdf'])
      expect(await keys('minSize=100&maxSize=1000')).toEqual([
        'b.csv',
        'docs/report.pdf',
        'images/Cat.PNG',
        'zebra_100%.txt',
      ])
      expect(await keys('q=cat')).toEqual(['images/Cat.PNG'])
      // LIKE's wildcards are literal text in q.
      expect(await keys('q=_100%25')).toEqual(['zebra_100%.txt'])
      expect(await keys('q=_')).toEqual(['zebra_100%.txt'])
      expect(await keys('q=été')).toEqual(['édition/été.txt'])
      expect(await keys('prefix=docs/&type=text/*')).toEqual(['docs/notes.txt'])
      const after = times['images/Cat.PNG'] as string
      const before = times['zebra_100%.txt'] as string
      expect(await keys(`modifiedAfter=${after}&modifiedBefore=${before}`)).toEqual([
        'images/Cat.PNG',
        'images/dog.jpg',
      ])
      // The same instant written with another offset, and in whole seconds (inclusive after).
      const plusOne = new Date(Date.parse(after) + 3600_000).toISOString().replace('Z', '+01:00')
      expect(await keys(`modifiedAfter=${encodeURIComponent(plusOne)}&modifiedBefore=${before}`)).toEqual([
        'images/Cat.PNG',
        'images/dog.jpg',
      ])
      const second = `${after.slice(0, 19)}Z`
      expect(await keys(`modifiedAfter=${second}&modifiedBefore=${before}`)).toContain('images/Cat.PNG')
      const listed = await list('listing', 'prefix=docs/2026/')
      expect(listed.objects[0]).toMatchObject({ key: 'docs/2026/plan.json', contentType: 'application/json' })
      expect(listed.objects[0]).toHaveProperty('sha256')
      const bad = await h.fetch('/v1/buckets/listing/objects?type=x&source=store', { token: h.admin })
      expect(bad.status).toBe(400)
      const badSort = await h.fetch('/v1/buckets/listing/objects?sort=size&delimiter=/', { token: h.admin })
      expect(badSort.status).toBe(400)
    })

    it('sorts by name, size and modification time, both ways, in pages', async () => {
      const sizes = files.map((f) => ({ key: f.key, size: Buffer.byteLength(f.body) }))
      const bySize = [...sizes].sort((a, b) => a.size - b.size || (a.key < b.key ? -1 : 1)).map((f) => f.key)
      for (const limit of [1, 3, 100]) {
        expect(keysOf(await allPages('listing', `sort=size&limit=${limit}`))).toEqual(bySize)
        expect(keysOf(await allPages('listing', `sort=size&order=desc&limit=${limit}`))).toEqual(
          [...bySize].reverse(),
        )
        const byTime = files.map((f) => f.key)
        expect(keysOf(await allPages('listing', `sort=modified&limit=${limit}`))).toEqual(byTime)
        expect(keysOf(await allPages('listing', `sort=modified&order=desc&limit=${limit}`))).toEqual(
          [...byTime].reverse(),
        )
      }
      const byName = keysOf(await allPages('listing', 'limit=4'))
      expect(keysOf(await allPages('listing', 'order=desc&limit=4'))).toEqual([...byName].reverse())
      // A cursor belongs to its sort.
      const first = await list('listing', 'sort=size&limit=2')
      const mixed = await h.fetch(`/v1/buckets/listing/objects?sort=modified&cursor=${first.cursor}`, {
        token: h.admin,
      })
      expect(mixed.status).toBe(400)
      // A forged cursor whose position does not fit its sort is refused, not read.
      const forged = Buffer.from(JSON.stringify(['size', 'asc', 'a.txt', 'big', 0])).toString('base64url')
      const refused = await h.fetch(`/v1/buckets/listing/objects?sort=size&cursor=${forged}`, {
        token: h.admin,
      })
      expect(refused.status).toBe(400)
    })

    it('pages without duplicates or skips while objects are added and deleted between pages', async () => {
      await createBucket('churn')
      const initial = Array.from({ length: 60 }, (_, i) => `k${String(i * 10).padStart(4, '0')}`)
      for (const key of initial) expect((await put('churn', key, 'x')).status).toBe(200)
      const deleted = new Set<string>()
      const added = new Set<string>()
      for (const sort of ['name', 'size']) {
        const pages = await allPages('churn', `sort=${sort}&limit=7`, async (page) => {
          // Between pages: delete one key ahead and one behind, add one ahead and one behind.
          const n = page * 50
          for (const key of [`k${String(n + 40).padStart(4, '0')}`, `k${String(n - 40).padStart(4, '0')}`]) {
            if (!initial.includes(key) || deleted.has(key)) continue
            expect(
              (await h.fetch(`/v1/buckets/churn/objects/${key}`, { method: 'DELETE', token: h.admin }))
                .status,
            ).toBe(204)
            deleted.add(key)
          }
          for (const key of [`k${String(n + 45).padStart(4, '0')}`, `k${String(n - 45).padStart(4, '0')}`]) {
            await put('churn', key, 'x')
            added.add(key)
          }
        })
        const keys = keysOf(pages)
        expect(new Set(keys).size, `${sort}: no duplicates`).toBe(keys.length)
        const unchanged = initial.filter((key) => !deleted.has(key))
        expect(
          unchanged.filter((key) => !keys.includes(key)),
          `${sort}: no skips`,
        ).toEqual([])
        for (const key of keys) expect(initial.includes(key) || added.has(key)).toBe(true)
      }
    })
  })

  describe('quotas', () => {
    it('lets 20 concurrent uploads race a byte quota without the total ever passing it', async () => {
      await createBucket('racing', { quotaBytes: 10 * 1000 })
      const uploads = Array.from({ length: 20 }, (_, i) =>
        put('racing', `f${i}`, Buffer.alloc(1000, i)).then(async (r) => ({
          status: r.status,
          body: await r.json(),
        })),
      )
      const results = await Promise.all(uploads)
      const stored = results.filter((r) => r.status === 200)
      const refused = results.filter((r) => r.status !== 200)
      expect(stored).toHaveLength(10)
      for (const r of refused) expect(r).toMatchObject({ status: 413, body: { code: 'QuotaExceeded' } })
      expect(await bucketInfo('racing')).toMatchObject({ usedBytes: 10_000, usedObjects: 10 })
      expect(await reservations('racing')).toEqual([])
      const listed = await allPages('racing', 'source=store')
      expect(keysOf(listed)).toHaveLength(10)
    })

    it('stops streamed uploads of unknown length at the first byte over, racing too', async () => {
      await createBucket('streaming', { quotaBytes: 3 * 1024 * 1024 })
      const chunked = (i: number) =>
        h.fetch(`/v1/buckets/streaming/objects/s${i}`, {
          method: 'PUT',
          token: h.admin,
          body: streamOf(Buffer.from('head'), 1024 * 1024),
          duplex: 'half',
        } as RequestInit)
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => chunked(i)))
      const statuses = results.map((r) => r.status)
      await Promise.all(results.map((r) => r.body?.cancel()))
      // Which uploads win depends on timing; that the quota holds does not.
      const stored = statuses.filter((s) => s === 200).length
      expect(stored).toBeGreaterThanOrEqual(1)
      expect(stored).toBeLessThanOrEqual(3)
      expect(statuses.filter((s) => s === 413)).toHaveLength(6 - stored)
      const info = await bucketInfo('streaming')
      expect(info.usedBytes).toBe(stored * 1024 * 1024)
      expect(keysOf(await allPages('streaming', 'source=store'))).toHaveLength(stored)
      // A too-large stream on its own is stopped too, and leaves nothing.
      const big = await h.fetch('/v1/buckets/streaming/objects/big', {
        method: 'PUT',
        token: h.admin,
        body: streamOf(Buffer.from('head'), 4 * 1024 * 1024),
        duplex: 'half',
      } as RequestInit)
      expect(big.status).toBe(413)
      expect(await h.stored('streaming')).toHaveLength(stored)
      expect(await reservations('streaming')).toEqual([])
    })

    it('counts objects, credits overwrites, and enforces on copies, forms and signed uploads', async () => {
      await createBucket('counted', { quotaObjects: 2, quotaBytes: 100 })
      expect((await put('counted', 'one', 'x'.repeat(40))).status).toBe(200)
      expect((await put('counted', 'two', 'x'.repeat(40))).status).toBe(200)
      const third = await put('counted', 'three', 'x')
      expect(third.status).toBe(413)
      expect(((await third.json()) as { code: string }).code).toBe('QuotaExceeded')
      // An overwrite frees what it replaces: 40 → 60 bytes fits in 100 with the other 40.
      expect((await put('counted', 'one', 'y'.repeat(60))).status).toBe(200)
      expect((await put('counted', 'one', 'y'.repeat(61))).status).toBe(413)
      const copy = await h.fetch(
        '/v1/buckets/counted/copy',
        json({ from: 'one', to: 'two' }, { token: h.admin }),
      )
      expect(copy.status).toBe(413)
      const form = new FormData()
      form.append('key', 'formed')
      form.append('file', new Blob(['x']), 'x.txt')
      const posted = await h.fetch('/v1/buckets/counted/objects', {
        method: 'POST',
        body: form,
        token: h.admin,
      })
      expect(posted.status).toBe(413)
      const signed = await h.fetch(
        '/v1/buckets/counted/sign',
        json({ key: 'signed', method: 'PUT', expiresIn: 60 }, { token: h.admin }),
      )
      const { url } = (await signed.json()) as { url: string }
      expect((await fetch(url, { method: 'PUT', body: 'x' })).status).toBe(413)
      expect(await bucketInfo('counted')).toMatchObject({ usedBytes: 100, usedObjects: 2 })
      expect(await reservations('counted')).toEqual([])
      // Over its quota (lowered below what it holds), the bucket still takes an overwrite that shrinks.
      const lowered = json({ quotaBytes: 50 }, { method: 'PATCH', token: h.admin })
      expect((await h.fetch('/v1/buckets/counted', lowered)).status).toBe(200)
      expect((await put('counted', 'one', 'y'.repeat(50))).status).toBe(200)
      expect((await put('counted', 'one', 'y'.repeat(51))).status).toBe(413)
      // Raising the quota makes room at once.
      const raised = json({ quotaObjects: null, quotaBytes: 91 }, { method: 'PATCH', token: h.admin })
      expect((await h.fetch('/v1/buckets/counted', raised)).status).toBe(200)
      expect((await fetch(url, { method: 'PUT', body: 'x' })).status).toBe(200)
    })
  })

  describe('reconcile', () => {
    const reconcile = async (body: unknown = {}) => {
      const response = await h.fetch('/v1/reconcile', json(body, { token: h.admin }))
      expect(response.status).toBe(200)
      return (await response.json()) as Record<string, unknown>
    }

    it('repairs objects added, removed and changed behind Coffer’s back, and the counters', async () => {
      await createBucket('drift')
      for (const key of ['keep', 'gone', 'changed']) expect((await put('drift', key, 'v1')).status).toBe(200)
      // Behind Coffer's back: as another writer, or a crash between the store write and the index write.
      await h.storage.upload('written behind', { key: 'drift/added' })
      await h.storage.deleteObject('drift/gone')
      await h.storage.upload('a longer body', { key: 'drift/changed' })
      await h.db.updateTable('buckets').set({ used_bytes: 12345 }).where('name', '=', 'drift').execute()
      expect(keysOf(await allPages('drift', 'limit=10'))).toEqual(['changed', 'gone', 'keep'])

      const report = await reconcile({ bucket: 'drift' })
      expect(report).toMatchObject({ added: 1, removed: 1, updated: 1, recounted: 1 })
      expect(report.changes).toEqual(['+ drift/added', '~ drift/changed', '- drift/gone'])
      const fromIndex = await allPages('drift', 'limit=10')
      const fromStore = await allPages('drift', 'limit=10&source=store')
      expect(fromIndex[0]?.objects.map(({ key, size, etag }) => ({ key, size, etag }))).toEqual(
        fromStore[0]?.objects.map(({ key, size, etag }) => ({ key, size, etag })),
      )
      expect(await bucketInfo('drift')).toMatchObject({ usedBytes: 2 + 14 + 13, usedObjects: 3 })
      // A second run finds nothing to do.
      expect(await reconcile({ bucket: 'drift' })).toMatchObject({
        added: 0,
        removed: 0,
        updated: 0,
        recounted: 0,
      })
    })

    it('repairs a crash between the store write and the index write', async () => {
      await createBucket('crash')
      // The index refuses new rows, as if the process died right after the store had the bytes.
      if (persistence === 'sqlite') {
        await sql`create trigger crash before insert on objects begin select raise(abort, 'crash'); end`.execute(
          h.db,
        )
      } else {
        await sql`create function crash() returns trigger language plpgsql as $$ begin raise exception 'crash'; end $$`.execute(
          h.db,
        )
        await sql`create trigger crash before insert on objects for each row execute function crash()`.execute(
          h.db,
        )
      }
      try {
        const response = await put('crash', 'orphan.txt', 'stored, not indexed')
        expect(response.status).toBe(500)
      } finally {
        await sql`drop trigger crash${persistence === 'sqlite' ? sql`` : sql` on objects`}`.execute(h.db)
      }
      expect(await h.storage.exists('crash/orphan.txt')).toBe(true)
      expect(keysOf(await allPages('crash', 'limit=10'))).toEqual([])
      expect(await reconcile({ bucket: 'crash' })).toMatchObject({
        added: 1,
        changes: ['+ crash/orphan.txt'],
      })
      expect(keysOf(await allPages('crash', 'limit=10'))).toEqual(['orphan.txt'])
      expect(await bucketInfo('crash')).toMatchObject({ usedBytes: 19, usedObjects: 1 })
    })

    it('records concurrent uploads together; a row the index refuses fails only its own upload', async () => {
      await createBucket('grouped')
      // The index refuses rows of keys starting with "bad": they share transactions with the others.
      if (persistence === 'sqlite') {
        await sql`create trigger refuse_bad before insert on objects when new.key like 'bad%' begin select raise(abort, 'refused'); end`.execute(
          h.db,
        )
      } else {
        await sql`create function refuse_bad() returns trigger language plpgsql as $$ begin raise exception 'refused'; end $$`.execute(
          h.db,
        )
        await sql`create trigger refuse_bad before insert on objects for each row when (new.key like 'bad%') execute function refuse_bad()`.execute(
          h.db,
        )
      }
      const keys = Array.from({ length: 40 }, (_, i) => (i % 13 === 5 ? `bad-${i}` : `good-${i}`))
      let statuses: number[]
      try {
        statuses = await Promise.all(keys.map(async (key) => (await put('grouped', key, key)).status))
      } finally {
        await sql`drop trigger refuse_bad${persistence === 'sqlite' ? sql`` : sql` on objects`}`.execute(h.db)
      }
      const good = keys.filter((key) => key.startsWith('good'))
      expect(statuses).toEqual(keys.map((key) => (key.startsWith('good') ? 200 : 500)))
      expect(keysOf(await allPages('grouped', 'limit=100'))).toEqual([...good].sort())
      const bytes = good.reduce((sum, key) => sum + key.length, 0)
      expect(await bucketInfo('grouped')).toMatchObject({ usedBytes: bytes, usedObjects: good.length })
      const audit = await h.db
        .selectFrom('audit_events')
        .select('key')
        .where('bucket', '=', 'grouped')
        .where('action', '=', 'object.put')
        .execute()
      expect(audit.map((row) => row.key).sort()).toEqual([...good].sort())
    })

    it('writes a queued put before a later delete or move of its key', async () => {
      await createBucket('ordered')
      const index = new ObjectCatalog(h.db)
      const actor = { id: 'key:test', ip: null }
      const info = (key: string) => ({
        key,
        size: 5,
        etag: '"e"',
        checksum: {},
        contentType: 'text/plain',
        visibility: 'private' as const,
        metadata: {},
        lastModified: new Date(),
      })
      const put = (key: string) =>
        index.put('ordered', info(key), actor, { action: 'object.put', bucket: 'ordered', key })
      // A batch of puts keeps the index busy; then, as the store saw them: put k, delete k; put m, move m.
      const filler = Array.from({ length: 100 }, (_, i) => put(`filler-${i}`))
      await new Promise(setImmediate)
      const changes = [put('k'), index.remove('ordered', ['k'], actor), put('m')]
      changes.push(index.move('ordered', 'm', info('moved'), actor))
      await Promise.all([...filler, ...changes])
      expect(await index.find('ordered', 'k')).toBeUndefined()
      expect(await index.find('ordered', 'm')).toBeUndefined()
      expect(await index.find('ordered', 'moved')).toBeDefined()
      expect(await bucketInfo('ordered')).toMatchObject({ usedObjects: 101, usedBytes: 505 })
    })

    it('drops the reservations of crashed uploads and reports folders that belong to no bucket', async () => {
      await createBucket('crashed', { quotaBytes: 100 })
      await h.db
        .insertInto('reservations')
        .values({
          id: 'crashed-upload',
          bucket: 'crashed',
          bytes: 100,
          objects: 1,
          expires_at: '2020-01-01T00:00:00.000Z',
        })
        .execute()
      await h.storage.upload('stray', { key: 'no-such-bucket/file' })
      const report = await reconcile()
      expect(report.expiredReservations).toBe(1)
      expect(report.strays).toEqual(['no-such-bucket/'])
      expect((await put('crashed', 'fits', 'x'.repeat(100))).status).toBe(200)
    })

    it('is safe while uploads go on: the index ends equal to the store', async () => {
      await createBucket('busy')
      const uploads = Array.from({ length: 30 }, (_, i) => put('busy', `u${i}`, `body ${i}`))
      const running = reconcile({ bucket: 'busy' })
      const more = Array.from({ length: 30 }, (_, i) =>
        new Promise((resolve) => setTimeout(resolve, i)).then(() => put('busy', `v${i}`, `again ${i}!`)),
      )
      for (const response of await Promise.all([...uploads, ...more])) expect(response.status).toBe(200)
      await running
      const shape = (pages: Listed[]) =>
        pages.flatMap((p) => p.objects.map(({ key, size, etag }) => ({ key, size, etag })))
      expect(shape(await allPages('busy', 'limit=1000'))).toEqual(
        shape(await allPages('busy', 'limit=1000&source=store')),
      )
      expect(await bucketInfo('busy')).toMatchObject({ usedObjects: 60 })
      const rows = await h.db.selectFrom('objects').select('owner').where('bucket', '=', 'busy').execute()
      // Rows written by the uploads keep their owner; reconcile never overwrote a newer row.
      expect(rows.every((row) => row.owner?.startsWith('key:'))).toBe(true)
    })
  })

  describe('usage, audit trail and metrics', () => {
    it('counts bytes in and out and requests per day and per key owner', async () => {
      await createBucket('metered')
      const writer = await h.key([{ bucket: 'metered', permissions: ['read', 'write', 'list'] }])
      expect((await put('metered', 'file', 'x'.repeat(1000), { token: writer })).status).toBe(200)
      for (let i = 0; i < 3; i++) {
        const read = await h.fetch('/v1/buckets/metered/objects/file', { token: writer })
        expect((await read.arrayBuffer()).byteLength).toBe(1000)
      }
      const range = await h.fetch('/v1/buckets/metered/objects/file', {
        token: writer,
        headers: { range: 'bytes=0-99' },
      })
      expect((await range.arrayBuffer()).byteLength).toBe(100)
      // A request is counted when its response has finished (onResponse), just after the client has it.
      await new Promise((resolve) => setTimeout(resolve, 50))
      const response = await h.fetch('/v1/buckets/metered/usage', { token: writer })
      expect(response.status).toBe(200)
      const usage = (await response.json()) as {
        bytes: number
        objects: number
        days: { day: string; bytesIn: number; bytesOut: number; requests: number }[]
        owners: { owner: string; bytesIn: number; bytesOut: number; requests: number }[]
      }
      const today = new Date().toISOString().slice(0, 10)
      expect(usage).toMatchObject({ bytes: 1000, objects: 1 })
      expect(usage.days).toEqual([{ day: today, bytesIn: 1000, bytesOut: 3100, requests: 5 }])
      expect(usage.owners).toHaveLength(1)
      expect(usage.owners[0]).toMatchObject({ bytesIn: 1000, bytesOut: 3100, requests: 5 })
      expect(usage.owners[0]?.owner).toMatch(/^key:/)

      const all = await h.fetch('/v1/usage', { token: h.admin })
      const total = (await all.json()) as { buckets: { bucket: string; bytesOut: number }[] }
      expect(total.buckets.find((b) => b.bucket === 'metered')).toMatchObject({ bytesOut: 3100 })
      expect((await h.fetch('/v1/usage', { token: writer })).status).toBe(403)
    })

    it('keeps an audit trail of mutations: who, what, when, from where; for admins only', async () => {
      await createBucket('audited')
      const writer = await h.key([{ bucket: 'audited', permissions: ['write', 'delete', 'read'] }])
      await put('audited', 'a', 'x', { token: writer })
      await h.fetch('/v1/buckets/audited/move', json({ from: 'a', to: 'b' }, { token: writer }))
      await h.fetch('/v1/buckets/audited/objects/b', { method: 'DELETE', token: writer })
      const response = await h.fetch('/v1/audit?bucket=audited', { token: h.admin })
      expect(response.status).toBe(200)
      const { events } = (await response.json()) as { events: Record<string, unknown>[] }
      expect(events.map((e) => [e.action, e.key])).toEqual([
        ['object.delete', 'b'],
        ['object.move', 'a'],
        ['object.put', 'a'],
        ['bucket.create', null],
      ])
      expect(events[0]).toMatchObject({ ip: '127.0.0.1' })
      expect(events[0]?.actor).toMatch(/^key:/)
      expect(events[1]).toMatchObject({ detail: { to: 'b' } })
      const paged = (await (
        await h.fetch('/v1/audit?bucket=audited&limit=3', { token: h.admin })
      ).json()) as {
        cursor: string
      }
      const rest = (await (
        await h.fetch(`/v1/audit?bucket=audited&cursor=${paged.cursor}`, { token: h.admin })
      ).json()) as { events: Record<string, unknown>[] }
      expect(rest.events.map((e) => e.action)).toEqual(['bucket.create'])
      expect((await h.fetch('/v1/audit', { token: writer })).status).toBe(403)
    })

    it('exposes Prometheus metrics that change as requests are made', async () => {
      const scrape = async () => {
        const response = await h.fetch('/metrics', { token: h.admin })
        expect(response.status).toBe(200)
        expect(response.headers.get('content-type')).toContain('text/plain')
        return response.text()
      }
      const value = (text: string, series: string) => {
        const line = text.split('\n').find((l) => l.startsWith(`${series} `))
        return line === undefined ? 0 : Number(line.slice(series.length + 1))
      }
      await createBucket('watched', { quotaBytes: 10 })
      const route = 'route="/v1/buckets/:bucket/objects/*"'
      const before = await scrape()
      expect((await put('watched', 'w', 'x'.repeat(8))).status).toBe(200)
      expect((await put('watched', 'w2', 'x'.repeat(8))).status).toBe(413)
      await (await h.fetch('/v1/buckets/watched/objects/w', { token: h.admin })).arrayBuffer()
      // Counted when the response has finished (onResponse), just after the client has it.
      await new Promise((resolve) => setTimeout(resolve, 50))
      const after = await scrape()
      const put200 = `coffer_http_requests_total{method="PUT",${route},status="200"}`
      expect(value(after, put200) - value(before, put200)).toBe(1)
      expect(value(after, 'coffer_bytes_in_total{bucket="watched"}')).toBe(8)
      expect(value(after, 'coffer_bytes_out_total{bucket="watched"}')).toBe(8)
      expect(value(after, 'coffer_quota_refusals_total{bucket="watched"}')).toBe(1)
      expect(value(after, 'coffer_bucket_bytes{bucket="watched"}')).toBe(8)
      expect(value(after, 'coffer_bucket_objects{bucket="watched"}')).toBe(1)
      expect(after).toContain(
        `coffer_http_request_duration_seconds_bucket{le="0.1",method="PUT",${route},status="200"}`,
      )
      expect(after).toContain('coffer_uploads_in_flight 0')
      expect((await h.fetch('/metrics')).status).toBe(401)
    })
  })
})

describe('the periodic reconcile', () => {
  it('picks up objects written behind Coffer’s back without being asked', async () => {
    const h = await startHarness('sqlite', { reconcileEvery: 50 })
    try {
      await h.storage.upload('behind', { key: 'documents/periodic.txt' })
      let keys: string[] = []
      // Bounded: 200 looks, 25 ms apart.
      const logged = () => h.logs.some((line) => line.includes('reconcile done'))
      for (let look = 0; look < 200 && (keys.length === 0 || !logged()); look++) {
        await new Promise((resolve) => setTimeout(resolve, 25))
        const page = (await (
          await h.fetch('/v1/buckets/documents/objects', { token: h.admin })
        ).json()) as Listed
        keys = page.objects.map((o) => o.key)
      }
      expect(keys).toEqual(['periodic.txt'])
      expect(logged()).toBe(true)
    } finally {
      await h.close()
    }
  })
})
