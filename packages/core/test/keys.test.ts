import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Layout } from '../src/drivers/fs/layout.ts'
import {
  compareKeys,
  createStorage,
  fsDriver,
  isStorageError,
  memoryDriver,
  type NormalizedKey,
  normalizeKey,
  normalizePrefix,
} from '../src/index.ts'
import { expectCode } from './driver-suite.ts'

/** Strings made of the characters that matter for paths: separators, dots, controls, unicode. */
const pathish = fc.string({
  unit: fc.constantFrom(
    '/',
    '.',
    '..',
    '\\',
    '\0',
    '\n',
    '%',
    '~',
    'a',
    'é',
    'e\u0301',
    '😀',
    ' ',
    '\ud800',
    'x',
  ),
  maxLength: 40,
})
const anyKey = fc.oneof(pathish, fc.string({ unit: 'binary', maxLength: 60 }))

function accepted(key: string): string | undefined {
  try {
    return normalizeKey(key)
  } catch (error) {
    expect(isStorageError(error, 'InvalidKey')).toBe(true)
    return undefined
  }
}

function isInside(root: string, file: string): boolean {
  const rel = relative(root, resolve(file))
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)
}

describe('key rules', () => {
  it('accepts only keys whose segments are real names', () => {
    fc.assert(
      fc.property(anyKey, (key) => {
        const nfc = accepted(key)
        if (nfc === undefined) return
        const segments = nfc.endsWith('/') ? nfc.slice(0, -1).split('/') : nfc.split('/')
        for (const segment of segments) expect(['', '.', '..']).not.toContain(segment)
        expect(nfc).not.toMatch(/[\0-\x1f\x7f\\]/)
        expect(nfc.startsWith('/')).toBe(false)
        expect(Buffer.byteLength(nfc)).toBeLessThanOrEqual(1024)
        expect(nfc).toBe(nfc.normalize('NFC'))
      }),
      { numRuns: 5000 },
    )
  })

  it('never maps an accepted key outside the fs root', () => {
    const layout = new Layout('/srv/coffer/data')
    fc.assert(
      fc.property(anyKey, (key) => {
        const nfc = accepted(key)
        if (nfc === undefined) return
        try {
          const { file, dir } = layout.locate(nfc)
          expect(isInside(layout.objects, file)).toBe(true)
          expect(dir === layout.objects || isInside(layout.objects, dir)).toBe(true)
        } catch (error) {
          expect(isStorageError(error, 'InvalidKey')).toBe(true) // a segment too long for the file system
        }
      }),
      { numRuns: 5000 },
    )
  })

  it('keeps names the driver makes (temp files) out of reach of keys', () => {
    fc.assert(
      fc.property(anyKey, (key) => {
        const nfc = accepted(key)
        if (nfc === undefined) return
        try {
          const { file } = new Layout('/r').locate(nfc)
          const names = file.split('/').slice(3)
          for (const dir of names.slice(0, -1)) expect(dir).not.toContain('~')
          expect((names.at(-1) ?? '').indexOf('~')).toBe((names.at(-1) ?? '').length - 1)
        } catch (error) {
          expect(isStorageError(error, 'InvalidKey')).toBe(true)
        }
      }),
    )
  })

  it('orders keys by their UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))))
      }),
      { numRuns: 3000 },
    )
  })

  it('validates prefixes like keys, allowing a partial last segment', () => {
    expect(normalizePrefix('photos/ca')).toBe('photos/ca')
    expect(normalizePrefix('a/.')).toBe('a/.')
    expect(normalizePrefix(undefined)).toBe('')
    for (const bad of ['../', 'a//b', '/a', 'a\0', './x'])
      expect(() => normalizePrefix(bad)).toThrow(/invalid key/)
  })

  it('brands what it normalised, and the driver contract takes only that', async () => {
    const driver = memoryDriver()
    const key: NormalizedKey = normalizeKey('cafe\u0301.txt')
    expect(key).toBe('caf\u00e9.txt')
    await expectCode(driver.head(key), 'NotFound')
    // @ts-expect-error a string that did not go through normalizeKey is not a key a driver takes
    await expectCode(driver.head('plain.txt'), 'NotFound')
  })
})

describe('fs driver with generated keys', () => {
  let root: string
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'coffer-prop-'))
  })
  afterAll(() => rm(root, { recursive: true, force: true }))

  it('writes every accepted key inside its root and reads it back', async () => {
    const storage = createStorage({ driver: fsDriver({ root: join(root, 'data'), fsync: false }) })
    await fc.assert(
      fc.asyncProperty(pathish, async (raw) => {
        const key = accepted(`k/${raw}`)
        if (key === undefined) return
        try {
          await storage.upload(key, { key })
        } catch (error) {
          expect(isStorageError(error, 'InvalidKey')).toBe(true)
          return
        }
        expect((await storage.stat(key)).key).toBe(key)
        const page = await storage.listObjects({ prefix: key, limit: 1 })
        expect(page.objects[0]?.key).toBe(key)
      }),
      { numRuns: 300 },
    )
    // Nothing was created beside the data directory.
    expect(await readdir(root)).toEqual(['data'])
  })
})
