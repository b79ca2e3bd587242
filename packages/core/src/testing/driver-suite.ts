/**
 * The conformance suite: one list of cases that every driver must pass through the StorageService.
 * A driver's test is three lines: `testDriver('name', async () => ({ driver, cleanup }))`.
 * Each case works under its own random prefix, so one bucket or directory serves the whole suite.
 */
import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Driver } from '../driver.ts'
import { isStorageError, type StorageErrorCode } from '../errors.ts'
import { createStorage, type StorageService } from '../service/storage-service.ts'
import { createOnlyCases } from './create-only-cases.ts'
import { multipartCases } from './multipart-cases.ts'

export interface DriverFixture {
  driver: Driver
  cleanup?: () => Promise<void>
}

export interface SuiteContext {
  storage: StorageService
  driver: Driver
  /** A fresh prefix for this case, ending with "/". */
  prefix: string
}

type Case = (ctx: SuiteContext) => Promise<void>

/**
 * Known departures of a backend from S3's semantics, each with its reason. A quirk never skips a
 * case: it only relaxes the one assertion the backend cannot meet, and is printed with the case.
 */
export interface Quirks {
  /** Listings come in another order than UTF-8 byte order: the suite compares sets of keys. */
  unorderedListing?: string
  /** An overwrite is not atomic: readers may mix versions, or have a read cut short by a write. */
  nonAtomicOverwrite?: string
}

export interface SuiteOptions {
  /** Cases this driver cannot run, each with the reason (printed with the skip; refused in CI). */
  skip?: Record<string, string>
  quirks?: Quirks
  /**
   * Runs only the multipart cases: a second run of the suite's multipart part on the same backend
   * with the driver configured otherwise (the S3 driver's `multipart: 'staged'` on Ceph RGW).
   */
  only?: 'multipart'
}

const quirksOf = new WeakMap<StorageService, Quirks>()

/** A listing as the suite compares it: in the order given, or sorted for unordered backends. */
function listed(storage: StorageService, keys: string[]): string[] {
  return quirksOf.get(storage)?.unorderedListing ? utf8Order(keys) : keys
}

export async function text(body: Readable): Promise<string> {
  return Buffer.concat(await body.toArray()).toString('utf8')
}

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')
const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex')

/** Awaits a promise that must fail with a StorageError of `code`. */
export async function expectCode(promise: Promise<unknown>, code: StorageErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, `expected a ${code} error`).toBeDefined()
  expect(isStorageError(error) ? error.code : error).toBe(code)
}

async function allKeys(storage: StorageService, prefix: string): Promise<string[]> {
  const keys: string[] = []
  let cursor: string | undefined
  do {
    const page = await storage.listObjects({ prefix, limit: 1000, ...(cursor ? { cursor } : {}) })
    keys.push(...page.objects.map((o) => o.key))
    cursor = page.cursor
  } while (cursor)
  return listed(storage, keys)
}

/** A stream of `total` bytes of `fill` in 64 KiB chunks, made lazily (never in memory at once). */
function bytes(total: number, fill = 0x61, onPull?: (sent: number) => void): Readable {
  let sent = 0
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null)
      const n = Math.min(64 * 1024, total - sent)
      sent += n
      onPull?.(sent)
      this.push(Buffer.alloc(n, fill))
    },
  })
}

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
)

function utf8Order(keys: string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
}

export const cases: Record<string, Case> = {
  async 'round-trips bytes with size, etag and sha256'({ storage, prefix }) {
    const data = randomBytes(300_000)
    const info = await storage.upload(data, { key: `${prefix}blob.bin` })
    expect(info).toMatchObject({
      key: `${prefix}blob.bin`,
      size: data.length,
      checksum: { sha256: sha256(data) },
    })
    const got = await storage.getObject(`${prefix}blob.bin`)
    expect(Buffer.concat(await got.body.toArray()).equals(data)).toBe(true)
    expect(got.info.etag).toBe(info.etag)
    expect((await storage.stat(`${prefix}blob.bin`)).checksum.sha256).toBe(sha256(data))
    if (!info.etag.includes('-')) expect(info.etag).toBe(`"${md5(data)}"`)
  },

  async 'accepts a Readable, a web ReadableStream, bytes and a string'({ storage, prefix }) {
    const web = new Blob(['web stream']).stream()
    await storage.upload(Readable.from([Buffer.from('node '), Buffer.from('stream')]), { key: `${prefix}1` })
    await storage.upload(web, { key: `${prefix}2` })
    await storage.upload(new TextEncoder().encode('bytes'), { key: `${prefix}3` })
    await storage.upload('a string', { key: `${prefix}4` })
    const bodies = await Promise.all(
      [1, 2, 3, 4].map(async (n) => text((await storage.getObject(`${prefix}${n}`)).body)),
    )
    expect(bodies).toEqual(['node stream', 'web stream', 'bytes', 'a string'])
  },

  async 'round-trips metadata, visibility and headers exactly'({ storage, prefix }) {
    const attributes = {
      metadata: { project: '42', 'owner-id': 'u_7', note: 'Ünïcödé & spaces ✓' },
      visibility: 'public' as const,
      cacheControl: 'public, max-age=60',
      contentDisposition: 'attachment; filename="report.csv"',
    }
    await storage.upload('a,b\n1,2\n', { key: `${prefix}report.csv`, ...attributes })
    const info = await storage.stat(`${prefix}report.csv`)
    expect(info).toMatchObject({ ...attributes, contentType: expect.stringMatching(/^text\/csv/) })
    const got = await storage.getObject(`${prefix}report.csv`)
    got.body.destroy() // a body that is not read must be destroyed, or its file stays open
    expect(got.info.metadata).toEqual(attributes.metadata)
    expect((await storage.upload('x', { key: `${prefix}private` })).visibility).toBe('private')
  },

  async 'refuses metadata that cannot travel as headers'({ storage, prefix }) {
    await expectCode(
      storage.upload('x', { key: `${prefix}m`, metadata: { 'bad name': 'v' } }),
      'InvalidArgument',
    )
    await expectCode(
      storage.upload('x', { key: `${prefix}m`, metadata: { ok: 'line\r\nX-Evil: 1' } }),
      'InvalidArgument',
    )
    await expectCode(
      storage.upload('x', { key: `${prefix}m`, metadata: { big: 'x'.repeat(3000) } }),
      'InvalidArgument',
    )
    const reserved = { 'coffer-sha256': 'forged' }
    await expectCode(storage.upload('x', { key: `${prefix}m`, metadata: reserved }), 'InvalidArgument')
    expect(await storage.exists(`${prefix}m`)).toBe(false)
  },

  async 'stores zero-byte objects and folder markers'({ storage, prefix }) {
    const empty = await storage.upload('', { key: `${prefix}empty` })
    expect(empty.size).toBe(0)
    expect(await text((await storage.getObject(`${prefix}empty`)).body)).toBe('')
    await storage.upload('', { key: `${prefix}folder/` })
    expect((await storage.stat(`${prefix}folder/`)).size).toBe(0)
    expect(await allKeys(storage, prefix)).toEqual([`${prefix}empty`, `${prefix}folder/`])
  },

  async 'stores a key and keys below it side by side (a and a/b)'({ storage, prefix }) {
    await storage.upload('file a', { key: `${prefix}a` })
    await storage.upload('file a/b', { key: `${prefix}a/b` })
    await storage.upload('file a/b/c', { key: `${prefix}a/b/c` })
    expect(await text((await storage.getObject(`${prefix}a`)).body)).toBe('file a')
    expect(await text((await storage.getObject(`${prefix}a/b`)).body)).toBe('file a/b')
    await storage.deleteObject(`${prefix}a/b`)
    expect(await allKeys(storage, prefix)).toEqual([`${prefix}a`, `${prefix}a/b/c`])
  },

  async 'reports missing objects as NotFound and deletes idempotently'({ storage, prefix }) {
    await expectCode(storage.stat(`${prefix}nope`), 'NotFound')
    await expectCode(storage.getObject(`${prefix}nope`), 'NotFound')
    expect(await storage.exists(`${prefix}nope`)).toBe(false)
    await storage.deleteObject(`${prefix}nope`)
    await storage.upload('x', { key: `${prefix}gone` })
    await storage.deleteObject(`${prefix}gone`)
    await storage.deleteObject(`${prefix}gone`)
    expect(await storage.exists(`${prefix}gone`)).toBe(false)
  },

  async 'normalises keys to NFC'({ storage, prefix }) {
    const nfd = `${prefix}cafe\u0301/re\u0301sume\u0301.txt`
    const info = await storage.upload('é', { key: nfd })
    expect(info.key).toBe(nfd.normalize('NFC'))
    expect(await storage.exists(nfd.normalize('NFC'))).toBe(true)
    expect(await allKeys(storage, prefix)).toEqual([nfd.normalize('NFC')])
  },

  async 'takes keys up to 1024 UTF-8 bytes and refuses longer ones'({ storage, prefix }) {
    let key = prefix
    while (Buffer.byteLength(key) + 201 < 1024) key += `${'é'.repeat(100)}/`
    key += 'k'.repeat(1024 - Buffer.byteLength(key))
    expect(Buffer.byteLength(key)).toBe(1024)
    await storage.upload('long', { key })
    expect(await text((await storage.getObject(key)).body)).toBe('long')
    await expectCode(storage.upload('x', { key: `${key}k` }), 'InvalidKey')
  },

  async 'stores long segments, or refuses them as the driver declares'({ storage, prefix, driver }) {
    const key = `${prefix}${'s'.repeat(300)}`
    if (driver.capabilities.maxSegmentBytes === undefined || driver.capabilities.maxSegmentBytes >= 300) {
      await storage.upload('seg', { key })
      expect(await storage.exists(key)).toBe(true)
    } else {
      await expectCode(storage.upload('seg', { key }), 'InvalidKey')
    }
  },

  async 'refuses every kind of invalid key'({ storage, prefix }) {
    const bad = [
      '',
      '/abs',
      `${prefix}../x`,
      `${prefix}./x`,
      `${prefix}a//b`,
      '..',
      `${prefix}..`,
      `${prefix}a\0b`,
    ]
    bad.push(`${prefix}a\nb`, `${prefix}a\\b`, `${prefix}\u007f`, `${prefix}\ud800`, 'k'.repeat(1025))
    for (const key of bad) await expectCode(storage.upload('x', { key }), 'InvalidKey')
    for (const key of bad) await expectCode(storage.getObject(key), 'InvalidKey')
    expect(await allKeys(storage, prefix)).toEqual([])
  },

  async 'lists in UTF-8 byte order over the whole key'({ storage, prefix }) {
    const names = ['a', 'a-b', 'a/b', 'a/b/c', 'a0', 'B', 'b', 'ä', '\ue000', '😀', 'z', 'a b', 'a.txt']
    const keys = names.map((n) => prefix + n)
    for (const key of [...keys].reverse()) await storage.upload(key, { key })
    expect(await allKeys(storage, prefix)).toEqual(utf8Order(keys))
  },

  async 'folds keys into common prefixes with a delimiter'({ storage, prefix }) {
    for (const name of ['a/1', 'a/2', 'a/b/3', 'b', 'c/4', 'c-5', 'd/'])
      await storage.upload('x', { key: prefix + name })
    const page = await storage.listObjects({ prefix, delimiter: '/' })
    expect(
      listed(
        storage,
        page.objects.map((o) => o.key),
      ),
    ).toEqual([`${prefix}b`, `${prefix}c-5`])
    expect(listed(storage, page.prefixes)).toEqual([`${prefix}a/`, `${prefix}c/`, `${prefix}d/`])
    const inner = await storage.listObjects({ prefix: `${prefix}a/`, delimiter: '/' })
    expect(
      listed(
        storage,
        inner.objects.map((o) => o.key),
      ),
    ).toEqual([`${prefix}a/1`, `${prefix}a/2`])
    expect(listed(storage, inner.prefixes)).toEqual([`${prefix}a/b/`])
    const partial = await storage.listObjects({ prefix: `${prefix}c` })
    expect(
      listed(
        storage,
        partial.objects.map((o) => o.key),
      ),
    ).toEqual([`${prefix}c-5`, `${prefix}c/4`])
    const dash = await storage.listObjects({ prefix, delimiter: '-' })
    expect(listed(storage, dash.prefixes)).toEqual([`${prefix}c-`])
  },

  async 'paginates with a cursor, prefixes counting towards the limit'({ storage, prefix }) {
    for (const name of ['a/1', 'a/2', 'b', 'c/3', 'd', 'e/4', 'f'])
      await storage.upload('x', { key: prefix + name })
    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await storage.listObjects({
        prefix,
        delimiter: '/',
        limit: 2,
        ...(cursor ? { cursor } : {}),
      })
      expect(page.objects.length + page.prefixes.length).toBeLessThanOrEqual(2)
      seen.push(...page.prefixes, ...page.objects.map((o) => o.key))
      cursor = page.cursor
      pages++
    } while (cursor && pages < 10)
    expect(utf8Order(seen)).toEqual(['a/', 'b', 'c/', 'd', 'e/', 'f'].map((n) => prefix + n))
    expect(pages).toBe(3)
  },

  async 'keeps a cursor stable while objects are added and removed'({ storage, prefix }) {
    const initial = Array.from({ length: 30 }, (_, i) => `${prefix}k${String(i).padStart(3, '0')}`)
    for (const key of initial) await storage.upload('x', { key })
    const seen: string[] = []
    let cursor: string | undefined
    let round = 0
    do {
      const page = await storage.listObjects({ prefix, limit: 7, ...(cursor ? { cursor } : {}) })
      seen.push(...page.objects.map((o) => o.key))
      cursor = page.cursor
      // Between pages: delete an object already seen, and add one before and one after the cursor.
      await storage.deleteObject(initial[round] as string)
      await storage.upload('x', { key: `${prefix}a-new-${round}` })
      await storage.upload('x', { key: `${prefix}z-new-${round}` })
      round++
    } while (cursor && round < 20)
    expect(new Set(seen).size).toBe(seen.length)
    for (const key of initial) expect(seen).toContain(key)
    expect(utf8Order(seen)).toEqual(seen)
  },

  async 'refuses a forged cursor and an out-of-range limit'({ storage, prefix }) {
    await expectCode(storage.listObjects({ prefix, cursor: 'not-a-cursor' }), 'InvalidArgument')
    await expectCode(storage.listObjects({ prefix, limit: 0 }), 'InvalidArgument')
    await expectCode(storage.listObjects({ prefix, limit: 1001 }), 'InvalidArgument')
    await expectCode(storage.listObjects({ prefix: '../' }), 'InvalidKey')
  },

  async 'serves byte ranges as RFC 9110 defines them'({ storage, prefix }) {
    await storage.upload('0123456789', { key: `${prefix}r` })
    const read = async (range: string | { start: number; end: number }) => {
      const got = await storage.getObject(`${prefix}r`, { range })
      return [await text(got.body), got.range]
    }
    expect(await read('bytes=2-4')).toEqual(['234', { start: 2, end: 4, size: 10 }])
    expect(await read('bytes=7-')).toEqual(['789', { start: 7, end: 9, size: 10 }])
    expect(await read('bytes=-3')).toEqual(['789', { start: 7, end: 9, size: 10 }])
    expect(await read('bytes=8-100')).toEqual(['89', { start: 8, end: 9, size: 10 }])
    expect(await read('bytes=-100')).toEqual(['0123456789', { start: 0, end: 9, size: 10 }])
    expect(await read({ start: 1, end: 1 })).toEqual(['1', { start: 1, end: 1, size: 10 }])
    for (const bad of ['bytes=5-2', 'items=1-2', 'bytes=1-2,4-5']) {
      await expectCode(storage.getObject(`${prefix}r`, { range: bad }), 'InvalidRange')
    }
    // Unsatisfiable against the object: the error names its size, for a 416's `Content-Range`.
    const sizeOfRefusal = (key: string, range: string) =>
      storage.getObject(key, { range }).then(
        () => 'served',
        (error: unknown) => (isStorageError(error, 'InvalidRange') ? error.objectSize : error),
      )
    for (const bad of ['bytes=10-', 'bytes=10-12', 'bytes=-0']) {
      expect(await sizeOfRefusal(`${prefix}r`, bad), bad).toBe(10)
    }
    await storage.upload('', { key: `${prefix}empty` })
    expect(await sizeOfRefusal(`${prefix}empty`, 'bytes=0-0')).toBe(0)
  },

  async 'answers "not modified" for a matching If-None-Match'({ storage, prefix }) {
    const { etag } = await storage.upload('cached', { key: `${prefix}c` })
    const hit = await storage.getObject(`${prefix}c`, { ifNoneMatch: etag })
    expect(hit.notModified).toBe(true)
    expect(hit.info.etag).toBe(etag)
    expect((await storage.getObject(`${prefix}c`, { ifNoneMatch: `W/${etag}, "other"` })).notModified).toBe(
      true,
    )
    expect((await storage.getObject(`${prefix}c`, { ifNoneMatch: '*' })).notModified).toBe(true)
    const miss = await storage.getObject(`${prefix}c`, { ifNoneMatch: '"other"' })
    expect(miss.notModified ? 'not modified' : await text(miss.body)).toBe('cached')
  },

  async 'writes atomically: readers see a whole version, one writer wins'({ storage, prefix }) {
    const key = `${prefix}atomic`
    const size = 512 * 1024
    await storage.upload(bytes(size, 0x30), { key })
    const writers = [0x31, 0x32, 0x33, 0x34].map((fill) => storage.upload(bytes(size, fill), { key }))
    const atomic = !quirksOf.get(storage)?.nonAtomicOverwrite
    const readers = Array.from({ length: 8 }, async () => {
      if (!atomic) {
        // A store that rewrites the file in place (s3rver) may also cut short a read that races a
        // write: such a read may fail; what the test holds it to is the final state below.
        await storage
          .getObject(key)
          .then((got) => got.body.toArray())
          .catch(() => undefined)
        return
      }
      const got = await storage.getObject(key)
      const data = Buffer.concat(await got.body.toArray())
      expect(data.length).toBe(size)
      expect(data.every((b) => b === data[0])).toBe(true)
      expect(sha256(data)).toBe(got.info.checksum.sha256)
    })
    const infos = await Promise.all(writers)
    await Promise.all(readers)
    const final = Buffer.concat(await (await storage.getObject(key)).body.toArray())
    expect(final.length).toBe(size)
    if (atomic) {
      expect(final.every((b) => b === final[0])).toBe(true)
      expect(infos.map((i) => i.checksum.sha256)).toContain(sha256(final))
    }
    expect(await allKeys(storage, prefix)).toEqual([key])
  },

  async 'leaves nothing behind when an upload is aborted or its source fails'({ storage, prefix }) {
    await storage.upload('old', { key: `${prefix}kept` })
    const controller = new AbortController()
    const aborted = storage.upload(
      bytes(8 * 1024 * 1024, 0x61, (n) => n > 1024 * 1024 && controller.abort()),
      {
        key: `${prefix}kept`,
        signal: controller.signal,
      },
    )
    await expectCode(aborted, 'Aborted')
    const failing = new Readable({ read() {} })
    failing.push(Buffer.alloc(100_000, 1))
    setTimeout(() => failing.destroy(new Error('source broke')), 10)
    await expect(storage.upload(failing, { key: `${prefix}new` })).rejects.toThrow()
    expect(await text((await storage.getObject(`${prefix}kept`)).body)).toBe('old')
    expect(await storage.exists(`${prefix}new`)).toBe(false)
    expect(await allKeys(storage, prefix)).toEqual([`${prefix}kept`])
  },

  async 'stops at the first byte over the size limit and stores nothing'({ storage, prefix }) {
    let pulled = 0
    const endless = new Readable({
      read() {
        pulled += 64 * 1024
        if (pulled > 64 * 1024 * 1024) return void this.destroy(new Error('the limit was not enforced'))
        this.push(Buffer.alloc(64 * 1024))
      },
    })
    await expectCode(storage.upload(endless, { key: `${prefix}big`, maxSize: 1024 * 1024 }), 'TooLarge')
    expect(pulled).toBeLessThan(4 * 1024 * 1024)
    let read = false
    const declared = new Readable({
      read() {
        read = true
      },
    })
    await expectCode(
      storage.upload(declared, { key: `${prefix}big`, maxSize: 10, contentLength: 11 }),
      'TooLarge',
    )
    expect(read).toBe(false)
    const exact = await storage.upload(Buffer.alloc(1024), { key: `${prefix}exact`, maxSize: 1024 })
    expect(exact.size).toBe(1024)
    expect(await allKeys(storage, prefix)).toEqual([`${prefix}exact`])
  },

  async 'refuses a body whose length differs from the declared one'({ storage, prefix }) {
    await expectCode(
      storage.upload(Readable.from([Buffer.alloc(5)]), { key: `${prefix}l`, contentLength: 6 }),
      'InvalidArgument',
    )
    await expectCode(
      storage.upload(Readable.from([Buffer.alloc(7)]), { key: `${prefix}l`, contentLength: 6 }),
      'InvalidArgument',
    )
    expect(await storage.exists(`${prefix}l`)).toBe(false)
  },

  async 'enforces allowed types from the bytes, not the claim'({ storage, prefix }) {
    const ok = await storage.upload(PNG, { key: `${prefix}avatar`, allowedTypes: ['image/*'] })
    expect(ok.contentType).toBe('image/png')
    const html = '<!DOCTYPE html><script>alert(1)</script>'
    const opts = { key: `${prefix}evil.png`, contentType: 'image/png', allowedTypes: ['image/*'] }
    await expectCode(storage.upload(html, opts), 'UnsupportedMediaType')
    await expectCode(
      storage.upload('plain', { key: `${prefix}t.txt`, allowedTypes: ['image/png'] }),
      'UnsupportedMediaType',
    )
    expect(await allKeys(storage, prefix)).toEqual([`${prefix}avatar`])
  },

  async 'detects content types from bytes and names'({ storage, prefix }) {
    const type = async (body: string | Buffer, key: string, contentType?: string) =>
      (await storage.upload(body, { key: prefix + key, ...(contentType ? { contentType } : {}) })).contentType
    expect(await type(PNG, 'x.html', 'text/html')).toBe('image/png')
    expect(await type('<svg xmlns="http://www.w3.org/2000/svg"/>', 'pic.png', 'image/png')).toBe(
      'image/svg+xml',
    )
    expect(await type('a,b\n', 'data.csv')).toMatch(/^text\/csv/)
    expect(await type('{"a":1}', 'data.json')).toBe('application/json')
    expect(await type('plain words', 'notes', 'text/plain; charset=utf-8')).toBe('text/plain;charset=utf-8')
    expect(await type(Buffer.from([1, 2, 3]), 'blob')).toBe('application/octet-stream')
    const zip = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100)])
    const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    expect(await type(zip, 'sheet.xlsx', xlsx)).toBe(xlsx)
  },

  async 'creates only when asked to (ifNoneMatch "*"), atomically'({ storage, prefix, driver }) {
    await storage.upload('first', { key: `${prefix}once`, ifNoneMatch: '*' })
    await expectCode(
      storage.upload('second', { key: `${prefix}once`, ifNoneMatch: '*' }),
      'PreconditionFailed',
    )
    expect(await text((await storage.getObject(`${prefix}once`)).body)).toBe('first')
    // Without conditional writes in the backend, the service checks then writes: not atomic (declared).
    if (!driver.capabilities.conditionalWrite) return
    const racers = Array.from({ length: 6 }, (_, i) =>
      storage.upload(`racer ${i}`, { key: `${prefix}race`, ifNoneMatch: '*' }),
    )
    const results = await Promise.allSettled(racers)
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
  },

  async 'copies with or without new attributes'({ storage, prefix }) {
    await storage.upload('copy me', { key: `${prefix}src.txt`, metadata: { a: '1' }, visibility: 'public' })
    const copy = await storage.copy(`${prefix}src.txt`, `${prefix}dst.txt`)
    expect(copy).toMatchObject({
      key: `${prefix}dst.txt`,
      size: 7,
      metadata: { a: '1' },
      visibility: 'public',
    })
    expect(await text((await storage.getObject(`${prefix}dst.txt`)).body)).toBe('copy me')
    const changed = await storage.copy(`${prefix}src.txt`, `${prefix}dst2.txt`, {
      metadata: { b: '2' },
      visibility: 'private',
    })
    expect((await storage.stat(`${prefix}dst2.txt`)).metadata).toEqual({ b: '2' })
    expect(changed.visibility).toBe('private')
    expect((await storage.stat(`${prefix}dst2.txt`)).checksum.sha256).toBe(sha256('copy me'))
    await expectCode(storage.copy(`${prefix}missing`, `${prefix}x`), 'NotFound')
  },

  async 'moves an object'({ storage, prefix }) {
    await storage.upload('move me', { key: `${prefix}from/a.txt`, metadata: { k: 'v' } })
    const moved = await storage.move(`${prefix}from/a.txt`, `${prefix}to/b.txt`)
    expect(moved).toMatchObject({ key: `${prefix}to/b.txt`, metadata: { k: 'v' } })
    expect(await allKeys(storage, prefix)).toEqual([`${prefix}to/b.txt`])
    await expectCode(storage.move(`${prefix}from/a.txt`, `${prefix}x`), 'NotFound')
  },

  async 'deletes many keys or a whole prefix, reporting per key'({ storage, prefix }) {
    for (const name of ['p/1', 'p/2', 'p/q/3', 'pp', 'other'])
      await storage.upload('x', { key: prefix + name })
    const some = await storage.deleteObjects([`${prefix}pp`, `${prefix}absent`, '../bad'])
    expect(some.deleted.sort()).toEqual([`${prefix}absent`, `${prefix}pp`])
    expect(some.errors).toEqual([expect.objectContaining({ key: '../bad', code: 'InvalidKey' })])
    const all = await storage.deleteObjects({ prefix: `${prefix}p/` })
    expect(all.deleted.sort()).toEqual([`${prefix}p/1`, `${prefix}p/2`, `${prefix}p/q/3`])
    expect(await allKeys(storage, prefix)).toEqual([`${prefix}other`])
  },

  async 'signs URLs for one key, one method, 1 s to 7 days'({ storage, prefix, driver }) {
    await storage.upload('signed', { key: `${prefix}s.txt` })
    for (const expiresIn of [0, 604_801, 1.5]) {
      await expectCode(
        storage.generatePresignedUrl(`${prefix}s.txt`, { method: 'GET', expiresIn }),
        'InvalidArgument',
      )
    }
    const url = await storage.generatePresignedUrl(`${prefix}s.txt`, { method: 'GET', expiresIn: 60 })
    expect(url).not.toContain('\n')
    if (driver.presign) {
      expect(await (await fetch(url)).text()).toBe('signed')
      return
    }
    expect(storage.verifyPresignedUrl(url, 'GET').key).toBe(`${prefix}s.txt`)
    expect(() => storage.verifyPresignedUrl(url, 'PUT')).toThrow(/signed for GET/)
    expect(() => storage.verifyPresignedUrl(url.replace('s.txt', 't.txt'), 'GET')).toThrow(/signature/)
  },

  async 'hides uploads in flight from listings'({ storage, prefix }) {
    await storage.upload('x', { key: `${prefix}done` })
    const slow = new Readable({ read() {} })
    slow.push(Buffer.alloc(200_000, 1))
    const pending = storage.upload(slow, { key: `${prefix}pending` })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await allKeys(storage, prefix)).toEqual([`${prefix}done`])
    expect(await storage.exists(`${prefix}pending`)).toBe(false)
    slow.push(null)
    await pending
    expect(await allKeys(storage, prefix)).toEqual([`${prefix}done`, `${prefix}pending`])
  },

  async 'downloads to a local file and uploads one'({ storage, prefix }) {
    const { mkdtemp, readFile, readdir, rm, writeFile } = await import('node:fs/promises')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const dir = await mkdtemp(join(tmpdir(), 'coffer-suite-'))
    try {
      await writeFile(join(dir, 'Quarterly Report (final).PDF'), '%PDF-1.4 fake')
      const info = await storage.uploadFile(join(dir, 'Quarterly Report (final).PDF'), {
        metadata: { p: '1' },
      })
      expect(info.key).toMatch(/^[0-9a-z]{26}-quarterly-report-final\.pdf$/)
      expect(info.contentType).toBe('application/pdf')
      await storage.deleteObject(info.key)
      const up = await storage.uploadFile(join(dir, 'Quarterly Report (final).PDF'), {
        key: `${prefix}r.pdf`,
      })
      await storage.downloadFile(up.key, join(dir, 'copy.pdf'))
      expect(await readFile(join(dir, 'copy.pdf'), 'utf8')).toBe('%PDF-1.4 fake')
      await expectCode(storage.downloadFile(`${prefix}missing`, join(dir, 'missing.pdf')), 'NotFound')
      expect((await readdir(dir)).sort()).toEqual(['Quarterly Report (final).PDF', 'copy.pdf'])
      await expectCode(storage.uploadFile(join(dir, 'absent.txt'), { key: `${prefix}a` }), 'NotFound')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  },
}

/** Every case: the object API's, create-only copies and moves, then multipart's. */
const allCases: Record<string, Case> = { ...cases, ...createOnlyCases, ...multipartCases }

/**
 * Runs every case against a driver. `setup` is called once; `cleanup` once at the end. Skips must
 * name a case and give the reason; with CI=true a skip fails the run.
 */
export function testDriver(
  name: string,
  setup: () => Promise<DriverFixture>,
  options: SuiteOptions = {},
): void {
  describe(`driver conformance: ${name}`, () => {
    let fixture: DriverFixture
    let storage: StorageService
    beforeAll(async () => {
      fixture = await setup()
      storage = createStorage({ driver: fixture.driver, signingSecret: randomBytes(32) })
      quirksOf.set(storage, options.quirks ?? {})
      for (const [quirk, reason] of Object.entries(options.quirks ?? {}))
        console.warn(`${name}: quirk ${quirk}: ${reason}`)
    })
    afterAll(async () => {
      await storage?.close()
      await fixture?.cleanup?.()
    })
    for (const [title, run] of Object.entries(options.only === 'multipart' ? multipartCases : allCases)) {
      const reason = options.skip?.[title]
      if (reason !== undefined && process.env.CI !== 'true') {
        it.skip(`${title} (skipped: ${reason})`, () => {})
        continue
      }
      it(title, async () => {
        const prefix = `t-${randomBytes(6).toString('hex')}/`
        await run({ storage, driver: fixture.driver, prefix })
      })
    }
  })
}
