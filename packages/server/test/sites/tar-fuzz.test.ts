import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve, sep } from 'node:path'
import { Readable } from 'node:stream'
import { buffer as readAll } from 'node:stream/consumers'
import { gzipSync } from 'node:zlib'
import { isStorageError, normalizeKey } from '@coffer/core'
import fc from 'fast-check'
import type { Header } from 'tar-stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { extractArchive } from '../../src/domain/sites/extract-archive.ts'
import { tarOf } from './archives.ts'

// Mostly names a site would have, so that whole archives get through; sometimes a hostile one.
const SEGMENT = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'index.html', 'app.js', 'e\u0301') },
  { weight: 1, arbitrary: fc.constantFrom('..', '.', '', 'a\\..', 'C:', '\u0000', '\u202e', '\uD800') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
)
const LEAD = fc.oneof({ weight: 6, arbitrary: fc.constant('') }, fc.constantFrom('/', './', '././', '../'))
const NAME = fc
  .tuple(LEAD, fc.array(SEGMENT, { minLength: 1, maxLength: 3 }))
  .map(([lead, segments]) => lead + segments.join('/'))
const TYPES: Header['type'][] = ['directory', 'symlink', 'link', 'fifo', 'character-device']
const TYPE = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Header['type']>('file') },
  fc.constantFrom(...TYPES),
)
const ENTRY = fc.record({
  name: NAME,
  type: TYPE,
  data: fc.uint8Array({ maxLength: 3000 }),
})
/** Damage done to the tar before it is gzipped: bytes overwritten, then the end cut off. */
const DAMAGE = fc.record({
  writes: fc.oneof(
    { weight: 3, arbitrary: fc.constant([]) },
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
  ),
  cut: fc.option(fc.nat(), { nil: undefined, freq: 2 }),
})
const EXPECTED_CODES = ['InvalidArgument', 'InvalidKey', 'TooLarge']
const LIMITS = { maxEntries: 6, maxEntryBytes: 2500, maxTotalBytes: 6000 }

describe('tar.gz extraction under fuzzing', () => {
  let outer: string
  beforeAll(async () => {
    outer = await mkdtemp(join(tmpdir(), 'coffer-tar-fuzz-'))
  })
  afterAll(() => rm(outer, { recursive: true, force: true }))

  it('yields only safe, distinct paths, fails only with typed errors, and writes nothing outside', async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.array(ENTRY, { maxLength: 8 }), DAMAGE, async (entries, damage) => {
        let tar: Buffer
        try {
          tar = await tarOf(entries.map((e) => ({ ...e, data: Buffer.from(e.data), linkname: 'a' })))
        } catch {
          return // tar-stream refused to write these headers: nothing to extract
        }
        for (const [at, value] of damage.writes) if (tar.byteLength > 0) tar[at % tar.byteLength] = value
        if (damage.cut !== undefined) tar = tar.subarray(0, damage.cut % (tar.byteLength + 1))
        const root = join(outer, `run-${run++}`, 'site')
        await mkdir(root, { recursive: true })
        const written: string[] = []
        try {
          for await (const entry of extractArchive(Readable.from([gzipSync(tar)]), { limits: LIMITS })) {
            expect(normalizeKey(entry.path)).toBe(entry.path)
            const target = resolve(root, entry.path)
            expect(target.startsWith(root + sep)).toBe(true)
            await mkdir(dirname(target), { recursive: true })
            // 'wx': a second write to one path would mean the duplicate check let it through.
            await writeFile(target, await readAll(entry.stream), { flag: 'wx' })
            written.push(entry.path)
          }
        } catch (error) {
          expect(isStorageError(error), String(error)).toBe(true)
          expect(EXPECTED_CODES).toContain((error as { code: string }).code)
        }
        expect(await readdir(dirname(root))).toEqual(['site'])
        const found = (await readdir(root, { recursive: true, withFileTypes: true }))
          .filter((d) => d.isFile())
          .map((d) => join(d.parentPath, d.name).slice(root.length + 1))
        expect(found.sort()).toEqual(written.sort())
      }),
      { numRuns: 200 },
    )
  })
})
