/**
 * Listing from the object index beside listing from the store: N objects (default 100,000) indexed
 * in SQLite and in Postgres (the machine's, 127.0.0.1:5432, a database made for the run) and stored
 * by the fs driver; each lists them all in pages of 1,000, rounds alternating, median keys/s. A
 * second set lists through the index with a filter and a sort (type=text/*, sort=size) to show
 * what the store cannot do, and one lists through the REST API (JSON over HTTP, with a key). Usage: npm run bench:index [-- --objects 100000 --rounds 3]
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createStorage, fsDriver } from '@coffer/core'
import { sql } from 'kysely'
import pg from 'pg'
import { createApp } from '../packages/server/src/app/create-app.ts'
import { ApiKeyStore } from '../packages/server/src/domain/auth/api-key-store.ts'
import { openDatabase } from '../packages/server/src/db/open-database.ts'
import { CatalogListing, type CatalogQuery } from '../packages/server/src/catalog/catalog-listing.ts'

const { values } = parseArgs({
  options: { objects: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' } },
})
const total = Number(values.objects)
const rounds = Number(values.rounds)
const PAGE = 1000
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
const keyOf = (i: number) =>
  `project-${String(i % 100).padStart(3, '0')}/file-${String(i).padStart(7, '0')}.txt`

const dir = await mkdtemp(join(tmpdir(), 'coffer-bench-index-'))
const adminUrl = process.env.COFFER_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const pgName = `coffer_bench_${randomBytes(4).toString('hex')}`
const admin = new pg.Client({ connectionString: adminUrl })
await admin.connect()
await admin.query(`CREATE DATABASE ${pgName}`)
const pgUrl = new URL(adminUrl)
pgUrl.pathname = `/${pgName}`

const sqlite = await openDatabase({ dataDir: join(dir, 'sqlite') })
const postgres = await openDatabase({ dataDir: dir, databaseUrl: pgUrl.toString() })
const storage = createStorage({ driver: fsDriver({ root: join(dir, 'files'), fsync: false }) })
const closers: (() => Promise<unknown>)[] = []
try {
  console.error(`seeding ${total} objects in SQLite, Postgres and the fs driver…`)
  const now = new Date().toISOString()
  for (const db of [sqlite, postgres]) {
    await db
      .insertInto('buckets')
      .values({
        name: 'bench',
        public: 0,
        max_file_size: null,
        allowed_types: null,
        quota_bytes: null,
        created_at: now,
        updated_at: now,
      })
      .execute()
    for (let start = 0; start < total; start += 500) {
      const rows = Array.from({ length: Math.min(500, total - start) }, (_, j) => {
        const i = start + j
        return {
          bucket: 'bench',
          key: keyOf(i),
          size: (i * 7919) % 100_000,
          etag: `"${i.toString(16).padStart(32, '0')}"`,
          sha256: null,
          content_type: i % 3 === 0 ? 'image/png' : 'text/plain',
          media_type: i % 3 === 0 ? 'image/png' : 'text/plain',
          visibility: 'private',
          metadata: '{}',
          owner: null,
          created_at: now,
          updated_at: now,
        }
      })
      await db.insertInto('objects').values(rows).execute()
    }
  }
  // Fresh statistics, as autovacuum would gather after such a load: the planner then walks the
  // (bucket, key) index for keyset pages instead of sorting the bucket.
  await sql`analyze objects`.execute(postgres)
  const indices: Promise<void>[] = []
  let next = 0
  const writer = async () => {
    while (next < total) {
      const i = next++
      await storage.upload('x', { key: `bench/${keyOf(i)}` })
    }
  }
  for (let w = 0; w < 16; w++) indices.push(writer())
  await Promise.all(indices)

  const listAll = async (page: (cursor?: string) => Promise<{ count: number; cursor?: string }>) => {
    const started = process.hrtime.bigint()
    let count = 0
    let cursor: string | undefined
    do {
      const result = await page(cursor)
      count += result.count
      cursor = result.cursor
    } while (cursor !== undefined)
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    return { count, keysPerSecond: count / seconds }
  }
  const fromIndex = (db: typeof sqlite, extra: Partial<CatalogQuery> = {}) => {
    const listing = new CatalogListing(db)
    return listAll(async (cursor) => {
      const page = await listing.list('bench', {
        prefix: '',
        limit: PAGE,
        ...extra,
        ...(cursor ? { cursor } : {}),
      })
      return { count: page.objects.length, ...(page.cursor ? { cursor: page.cursor } : {}) }
    })
  }
  const fromStore = () =>
    listAll(async (cursor) => {
      const page = await storage.listObjects({ prefix: 'bench/', limit: PAGE, ...(cursor ? { cursor } : {}) })
      return { count: page.objects.length, ...(page.cursor ? { cursor: page.cursor } : {}) }
    })

  // The whole stack: the REST API over the SQLite index, with an API key, pages of 1,000 as JSON.
  const app = await createApp({ storage, db: sqlite, signingSecret: randomBytes(32).toString('hex') })
  const token = (await new ApiKeyStore(sqlite).bootstrap(undefined)) as string
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const overHttp = () =>
    listAll(async (cursor) => {
      const query = `limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      const response = await fetch(`${url}/v1/buckets/bench/objects?${query}`, {
        headers: { authorization: `Bearer ${token}` },
      })
      const page = (await response.json()) as { objects: unknown[]; cursor?: string }
      return { count: page.objects.length, ...(page.cursor ? { cursor: page.cursor } : {}) }
    })
  closers.push(() => app.close())

  const cases: [string, () => Promise<{ count: number; keysPerSecond: number }>][] = [
    ['REST API over the SQLite index', overHttp],
    ['index, SQLite', () => fromIndex(sqlite)],
    ['index, Postgres', () => fromIndex(postgres)],
    ['fs driver (store)', fromStore],
    ['index, SQLite, type=text/* sort=size', () => fromIndex(sqlite, { types: ['text/*'], sort: 'size' })],
    [
      'index, Postgres, type=text/* sort=size',
      () => fromIndex(postgres, { types: ['text/*'], sort: 'size' }),
    ],
  ]
  const results = new Map<string, number[]>(cases.map(([name]) => [name, []]))
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of cases) {
      const { count, keysPerSecond } = await run()
      results.get(name)?.push(keysPerSecond)
      console.error(`round ${round + 1}: ${name}: ${count} keys, ${Math.round(keysPerSecond)} keys/s`)
    }
  }
  console.log(
    `\nListing ${total.toLocaleString('en')} objects in pages of ${PAGE} (median of ${rounds} rounds)\n`,
  )
  console.log('| source | keys/s |\n| --- | ---: |')
  for (const [name, speeds] of results)
    console.log(`| ${name} | ${Math.round(median(speeds)).toLocaleString('en')} |`)
} finally {
  for (const close of closers) await close()
  await sqlite.destroy()
  await postgres.destroy()
  await storage.close()
  await admin.query(`DROP DATABASE ${pgName} WITH (FORCE)`)
  await admin.end()
  await rm(dir, { recursive: true, force: true })
}
