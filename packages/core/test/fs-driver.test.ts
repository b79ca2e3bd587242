import { mkdtemp, rm, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { text } from 'node:stream/consumers'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createStorage, fsDriver, type StorageService } from '../src/index.ts'
import { expectCode, testDriver } from './driver-suite.ts'

testDriver('fs', async () => {
  const root = await mkdtemp(join(tmpdir(), 'coffer-fs-'))
  return { driver: fsDriver({ root }), cleanup: () => rm(root, { recursive: true, force: true }) }
})

testDriver('fs without its cache of small objects', async () => {
  const root = await mkdtemp(join(tmpdir(), 'coffer-fs-'))
  return {
    driver: fsDriver({ root, cacheBytes: 0 }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  }
})

describe('fs driver: the cache of small objects', () => {
  let root: string
  let storage: StorageService
  const read = async (key: string) => text((await storage.getObject(key)).body)
  const fileOf = (key: string) => join(root, 'objects', `${key}~`)

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'coffer-fs-cache-'))
    storage = createStorage({ driver: fsDriver({ root }) })
  })
  afterEach(() => rm(root, { recursive: true, force: true }))

  it('serves a small object it has read from memory, and a large one from its file', async () => {
    await storage.upload('small', { key: 'a.txt' })
    await storage.upload('x'.repeat(20_000), { key: 'large.txt' })
    expect(await read('a.txt')).toBe('small')
    expect((await read('large.txt')).length).toBe(20_000)
    // Behind the driver's back (which the driver rules out): only the cached object is still served.
    await unlink(fileOf('a.txt'))
    await unlink(fileOf('large.txt'))
    expect(await read('a.txt')).toBe('small')
    const range = await storage.getObject('a.txt', { range: 'bytes=1-3' })
    expect(await text(range.body)).toBe('mal')
    await expectCode(storage.getObject('large.txt'), 'NotFound')
  })

  it('hands over the bytes of a small object as they are, and streams a large one', async () => {
    await storage.upload('small', { key: 'a.txt' })
    await storage.upload('x'.repeat(20_000), { key: 'large.txt' })
    for (const round of ['from the file', 'from the cache']) {
      const whole = await storage.getObject('a.txt')
      expect(whole.bytes?.toString(), round).toBe('small')
      const part = await storage.getObject('a.txt', { range: 'bytes=1-3' })
      expect(part.bytes?.toString(), round).toBe('mal')
      expect(part.range).toEqual({ start: 1, end: 3, size: 5 })
      // The body, for readers that want a stream, is made from the same bytes.
      expect(await text(part.body)).toBe('mal')
    }
    const large = await storage.getObject('large.txt', { recycleBuffers: true })
    expect(large.bytes).toBeUndefined()
    expect((await text(large.body)).length).toBe(20_000)
  })

  it('refuses a read whose reader has gone, instead of a body that fails with no one listening', async () => {
    // A browser that cancels a preview: the server's signal is aborted while the file is read. A body
    // made then failed on the next tick, before the server listened, and ended the process.
    await storage.upload('small', { key: 'a.txt' })
    await storage.upload('x'.repeat(200_000), { key: 'large.txt' })
    const gone = AbortSignal.abort()
    for (const key of ['a.txt', 'a.txt', 'large.txt']) {
      // The first read of a.txt is from its file, the second from the cache.
      await expectCode(storage.getObject(key, { signal: gone }), 'Aborted')
    }
  })

  it('drops what writes, copies, moves and deletes change', async () => {
    await storage.upload('one', { key: 'a.txt' })
    await storage.upload('two', { key: 'b.txt' })
    expect([await read('a.txt'), await read('b.txt')]).toEqual(['one', 'two'])
    await storage.upload('one, again', { key: 'a.txt' })
    expect(await read('a.txt')).toBe('one, again')
    await storage.copy('b.txt', 'a.txt')
    expect(await read('a.txt')).toBe('two')
    await storage.move('a.txt', 'c.txt')
    await expectCode(storage.getObject('a.txt'), 'NotFound')
    expect(await read('c.txt')).toBe('two')
    await storage.deleteObject('c.txt')
    await expectCode(storage.getObject('c.txt'), 'NotFound')
  })

  it('never keeps an object a read saw before an overwrite that ran beside it', async () => {
    await storage.upload('v0', { key: 'raced.txt' })
    for (let version = 1; version <= 10; version++) {
      // Reads keep starting while the overwrite runs, so that some open the old file and end after it.
      let writing = true
      const reader = async () => {
        while (writing) {
          await read('raced.txt')
          // A cached read never waits for I/O: let the overwrite go on between reads.
          await new Promise(setImmediate)
        }
      }
      const readers = Array.from({ length: 16 }, reader)
      await storage.upload(`v${version}`, { key: 'raced.txt' })
      writing = false
      await Promise.all(readers)
      expect(await read('raced.txt')).toBe(`v${version}`)
    }
  })
})
