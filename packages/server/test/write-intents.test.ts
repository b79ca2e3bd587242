import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ObjectCatalog, SYSTEM } from '../src/catalog/object-catalog.ts'
import { resolveWriteIntents } from '../src/catalog/resolve-write-intents.ts'
import { WriteIntents } from '../src/catalog/write-intents.ts'
import { type Harness, json, PERSISTENCES, startHarness } from './harness.ts'

/**
 * What a restart does with the write intents a killed process left (the crash test shows it end to
 * end): here the crash is played by hand, a store changed behind the index's back with the intent
 * that announced the change, and each kind of write is checked: an upload the index never heard of,
 * an overwrite, a delete, a delete by prefix; and another instance's intents are left alone.
 */
describe.each(PERSISTENCES)('resolving write intents (fs driver, %s index)', (persistence) => {
  let h: Harness
  let catalog: ObjectCatalog
  const BUCKET = 'intents'
  const errors: unknown[] = []
  const crashed = () => new WriteIntents(h.db, 'crashed', (error) => errors.push(error))
  const other = () => new WriteIntents(h.db, 'other', (error) => errors.push(error))

  beforeAll(async () => {
    h = await startHarness(persistence)
    catalog = new ObjectCatalog(h.db)
    const response = await h.fetch('/v1/buckets', json({ name: BUCKET }, { token: h.admin }))
    expect(response.status).toBe(201)
  })
  afterAll(() => h?.close())

  /** Stores `size` bytes at `key` and, with `indexed`, records it as the service would. */
  const store = async (key: string, size: number, indexed: boolean) => {
    const info = await h.storage.upload(new Uint8Array(size).fill(7), { key: `${BUCKET}/${key}` })
    if (indexed) await catalog.put(BUCKET, { ...info, key }, SYSTEM, undefined)
  }
  const rows = async () =>
    new Map(
      (await h.db.selectFrom('objects').select(['key', 'size']).where('bucket', '=', BUCKET).execute()).map(
        (row) => [row.key, Number(row.size)],
      ),
    )
  const counters = async () => {
    const row = await h.db
      .selectFrom('buckets')
      .select(['used_bytes', 'used_objects'])
      .where('name', '=', BUCKET)
      .executeTakeFirstOrThrow()
    return { bytes: Number(row.used_bytes), objects: Number(row.used_objects) }
  }

  it('makes every announced key what the store holds, and only those', async () => {
    await store('kept.bin', 10, true)
    await store('over.bin', 20, true)
    await store('gone.bin', 30, true)
    await store('dir/a.bin', 40, true)
    await store('dir/b.bin', 50, true)
    await store('dir/sub/c.bin', 60, true)
    await store('dirx.bin', 70, true)
    await store('theirs.bin', 80, true)

    // The crash: each change reached the store, its intent was written, the index never followed.
    await crashed().begin(BUCKET, ['added.bin', 'over.bin', 'gone.bin'])
    await crashed().begin(BUCKET, ['dir/'], true)
    await other().begin(BUCKET, ['theirs.bin'])
    await store('added.bin', 5, false)
    await store('over.bin', 25, false)
    await h.storage.deleteObject(`${BUCKET}/gone.bin`)
    await h.storage.deleteObjects({ prefix: `${BUCKET}/dir/` })
    // Behind the index's back, but no intent of this instance names them: left to reconcile.
    await h.storage.deleteObject(`${BUCKET}/dirx.bin`)
    await h.storage.deleteObject(`${BUCKET}/theirs.bin`)

    const report = await resolveWriteIntents(h.storage, catalog, crashed())
    expect(report).toEqual({ intents: 4, added: 1, updated: 1, removed: 4 })
    expect(await rows()).toEqual(
      new Map([
        ['added.bin', 5],
        ['dirx.bin', 70],
        ['kept.bin', 10],
        ['over.bin', 25],
        ['theirs.bin', 80],
      ]),
    )
    expect(await counters()).toEqual({ bytes: 5 + 70 + 10 + 25 + 80, objects: 5 })
    const left = await h.db.selectFrom('write_intents').select(['instance', 'key']).execute()
    expect(left).toEqual([{ instance: 'other', key: 'theirs.bin' }])
    // A second start finds nothing more to do.
    expect(await resolveWriteIntents(h.storage, catalog, crashed())).toEqual({
      intents: 0,
      added: 0,
      updated: 0,
      removed: 0,
    })
    expect(errors).toEqual([])
  })

  it('leaves no intent behind the service’s own writes, failed ones included', async () => {
    const call = async (path: string, init: RequestInit) => {
      const response = await h.fetch(`/v1/buckets/${BUCKET}${path}`, { token: h.admin, ...init })
      await response.body?.cancel()
      return response.status
    }
    const post = (path: string, body: unknown) => call(path, json(body))
    expect(await call('/objects/w/one.bin', { method: 'PUT', body: 'one' })).toBe(200)
    expect(
      await call('/objects/w/one.bin', { method: 'PUT', body: 'one', headers: { 'if-none-match': '*' } }),
    ).toBe(412)
    expect(await post('/copy', { from: 'w/one.bin', to: 'w/two.bin' })).toBe(200)
    expect(await post('/copy', { from: 'w/none.bin', to: 'w/three.bin' })).toBe(404)
    expect(await post('/move', { from: 'w/two.bin', to: 'w/moved/two.bin' })).toBe(200)
    expect(await post('/delete', { keys: ['w/one.bin', 'w/none.bin'] })).toBe(200)
    expect(await post('/delete', { prefix: 'w/moved/' })).toBe(200)
    expect(await call('/objects/w/none.bin', { method: 'DELETE' })).toBe(204)
    const left = await h.db
      .selectFrom('write_intents')
      .select('key')
      .where('instance', '=', 'default')
      .execute()
    expect(left).toEqual([])
    expect(errors).toEqual([])
  })
})
