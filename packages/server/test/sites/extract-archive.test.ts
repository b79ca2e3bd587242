import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { buffer as readAll } from 'node:stream/consumers'
import { createGzip, gzipSync } from 'node:zlib'
import { isStorageError } from '@coffer/core'
import { pack } from 'tar-stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { extractArchive } from '../../src/domain/sites/extract-archive.ts'
import {
  extractAll,
  extractionError,
  patchDeclaredSizes,
  patchName,
  type TestEntry,
  tarGzOf,
  tarOf,
  zeros,
  zipOf,
  zipOfZeros,
} from './archives.ts'

const MiB = 1024 * 1024
const SITE: TestEntry[] = [
  { name: 'index.html', data: '<h1>home</h1>' },
  { name: 'assets/', type: 'directory' },
  { name: 'assets/app.3f9a.js', data: 'console.log(1)' },
  { name: 'about/index.html', data: '<h1>about</h1>' },
  { name: 'empty.txt', data: '' },
]
const EXPECTED = new Map([
  ['index.html', '<h1>home</h1>'],
  ['assets/app.3f9a.js', 'console.log(1)'],
  ['about/index.html', '<h1>about</h1>'],
  ['empty.txt', ''],
])

function texts(files: Map<string, Buffer>): Map<string, string> {
  return new Map([...files].map(([path, data]) => [path, data.toString()]))
}

function expectCode(error: unknown, code: string, detail?: RegExp): void {
  expect(isStorageError(error), String(error)).toBe(true)
  expect((error as { code: string }).code).toBe(code)
  if (detail !== undefined) expect((error as Error).message).toMatch(detail)
}

const FORMATS = {
  zip: zipOf,
  'tar.gz': tarGzOf,
} as const

describe('extractArchive', () => {
  let temp: string
  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'coffer-archive-test-'))
  })
  afterAll(() => rm(temp, { recursive: true, force: true }))

  describe.each(Object.keys(FORMATS) as (keyof typeof FORMATS)[])('%s', (format) => {
    const build = FORMATS[format]

    it('yields every file with its content, folders left out', async () => {
      const files = await extractAll(await build(SITE), { tempDir: temp })
      expect(texts(files)).toEqual(EXPECTED)
      expect(await readdir(temp)).toEqual([])
    })

    it('gives names in NFC and checks them as keys under the prefix', async () => {
      const files = await extractAll(await build([{ name: 'cafe\u0301.txt', data: 'x' }]), {
        keyPrefix: 'sites/demo/',
      })
      expect([...files.keys()]).toEqual(['caf\u00e9.txt'])
      const long = await build([{ name: `${'a'.repeat(200)}/${'b'.repeat(200)}.txt`, data: 'x' }])
      expectCode(await extractionError(long, { keyPrefix: `${'p'.repeat(700)}/` }), 'InvalidKey')
    })

    it.each([
      ['a control character', 'bad\u0007name.txt', 'InvalidKey'],
      ['an empty segment', 'a//b.txt', 'InvalidKey'],
      ['a "." segment', 'a/./b.txt', 'InvalidKey'],
    ])('refuses a name with %s', async (_, name, code) => {
      expectCode(await extractionError(await build([{ name, data: 'x' }])), code)
    })

    it('refuses a name that appears twice, or as a file and a folder', async () => {
      const twice = await build([
        { name: 'index.html', data: 'one' },
        { name: 'index.html', data: 'two' },
      ])
      expectCode(await extractionError(twice), 'InvalidArgument', /appears twice/)
      const both = await build([
        { name: 'a', data: 'file' },
        { name: 'a/b.txt', data: 'nested' },
      ])
      expectCode(await extractionError(both), 'InvalidArgument', /both a file and a folder/)
    })

    it('refuses a symbolic link', async () => {
      const archive = await build([{ name: 'passwd', type: 'symlink', linkname: '/etc/passwd' }])
      expectCode(await extractionError(archive), 'InvalidArgument', /is a link/)
    })

    it('refuses more entries than allowed', async () => {
      const many = Array.from({ length: 6 }, (_, i) => ({ name: `f${i}.txt`, data: 'x' }))
      expectCode(
        await extractionError(await build(many), { limits: { maxEntries: 5 } }),
        'TooLarge',
        /entries/,
      )
    })

    it('refuses a file or a total over the limits', async () => {
      const big = await build([{ name: 'big.bin', data: Buffer.alloc(5000, 7) }])
      expectCode(
        await extractionError(big, { limits: { maxEntryBytes: 4096 } }),
        'TooLarge',
        /larger than 4096/,
      )
      const two = await build([
        { name: 'a.bin', data: Buffer.alloc(3000, 1) },
        { name: 'b.bin', data: Buffer.alloc(3000, 2) },
      ])
      expectCode(await extractionError(two, { limits: { maxTotalBytes: 5000 } }), 'TooLarge', /add up/)
    })

    it('refuses an archive body over the limit', async () => {
      const archive = await build([
        { name: 'random.bin', data: Buffer.from(crypto.getRandomValues(new Uint8Array(20_000))) },
      ])
      expectCode(
        await extractionError(archive, { limits: { maxArchiveBytes: 10_000 } }),
        'TooLarge',
        /archive is larger/,
      )
    })

    it('refuses a truncated archive', async () => {
      const archive = await build(SITE)
      for (const length of [archive.byteLength - 30, Math.floor(archive.byteLength / 2), 10]) {
        const error = await extractionError(archive.subarray(0, length), { tempDir: temp })
        expectCode(error, 'InvalidArgument', /damaged or truncated/)
      }
      expect(await readdir(temp)).toEqual([])
    })

    it('reads and discards what a consumer leaves unread, still counting it', async () => {
      const archive = await build([
        { name: 'a.bin', data: Buffer.alloc(3000, 1) },
        { name: 'b.txt', data: 'kept' },
      ])
      const seen: string[] = []
      for await (const entry of extractArchive(Readable.from([archive]))) {
        seen.push(entry.path)
        if (entry.path === 'b.txt') expect((await readAll(entry.stream)).toString()).toBe('kept')
      }
      expect(seen).toEqual(['a.bin', 'b.txt'])
      const error = await (async () => {
        try {
          for await (const _ of extractArchive(Readable.from([archive]), {
            limits: { maxTotalBytes: 2000 },
          })) {
            // nothing read: the extractor drains each entry itself
          }
        } catch (error) {
          return error
        }
      })()
      expectCode(error, 'TooLarge', /add up/)
    })

    it('refuses an entry bomb: a small archive that inflates past the ratio', async () => {
      const bomb =
        format === 'zip'
          ? await readAll(zipOfZeros('zeros.bin', 4 * MiB))
          : await tarGzOf([{ name: 'zeros.bin', data: Buffer.alloc(4 * MiB) }])
      expect(bomb.byteLength).toBeLessThan(40_000)
      expectCode(await extractionError(bomb), 'TooLarge', /expands more than 100:1/)
    })

    it('stops the extraction where a consumer breaks off, leaving no temporary file', async () => {
      for await (const entry of extractArchive(Readable.from([await build(SITE)]), { tempDir: temp })) {
        expect(entry.path).toBe('index.html')
        break
      }
      expect(await readdir(temp)).toEqual([])
    })
  })

  describe('zip', () => {
    it.each([
      ['..', 'XX/evil.txt', '../evil.txt', /leaves the archive/],
      ['nested ..', 'a/XX/XX/XX/evil.txt', 'a/../../../evil.txt', /leaves the archive/],
      ['absolute', 'Xetc/evil.txt', '/etc/evil.txt', /absolute/],
      ['drive letter', 'XXwin/evil.txt', 'C:win/evil.txt', /absolute/],
      ['backslash', 'XXXevil.txt', '..\\evil.txt', /backslash/],
    ])('refuses a %s path (zip-slip)', async (_, placeholder, name, detail) => {
      const archive = patchName(
        await zipOf([
          { name: 'ok.txt', data: 'fine' },
          { name: placeholder, data: 'pwned' },
        ]),
        placeholder,
        name,
      )
      expectCode(await extractionError(archive), 'InvalidArgument', detail)
    })

    it('refuses a zip bomb that lies about its sizes, from the bytes it really inflates', async () => {
      const bomb = patchDeclaredSizes(await readAll(zipOfZeros('zeros.bin', 8 * MiB)), 100)
      const error = await extractionError(bomb)
      expect(isStorageError(error, 'TooLarge', 'InvalidArgument'), String(error)).toBe(true)
    })

    it('refuses a zip bomb of many entries each under the ratio floor by the total', async () => {
      const zip = await zipOf(
        Array.from({ length: 20 }, (_, i) => ({ name: `z${i}.bin`, data: Buffer.alloc(512 * 1024) })),
      )
      expect(zip.byteLength).toBeLessThan(30_000)
      expectCode(await extractionError(zip, { limits: { maxTotalBytes: 4 * MiB } }), 'TooLarge', /add up/)
    })

    it('refuses a stored entry whose sizes disagree', async () => {
      const zip = patchDeclaredSizes(await zipOf([{ name: 'a.txt', data: 'hello', store: true }]), 3)
      expectCode(await extractionError(zip), 'InvalidArgument', /damaged/)
    })
  })

  describe('tar.gz', () => {
    it.each([
      ['..', '../evil.txt', /leaves the archive/],
      ['nested ..', 'a/../../evil.txt', /leaves the archive/],
      ['absolute', '/etc/evil.txt', /absolute/],
      ['backslash', '..\\evil.txt', /backslash/],
      ['"./" then ..', './../evil.txt', /leaves the archive/],
    ])('refuses a %s path (zip-slip)', async (_, name, detail) => {
      const archive = await tarGzOf([
        { name: 'ok.txt', data: 'fine' },
        { name, data: 'pwned' },
      ])
      expectCode(await extractionError(archive), 'InvalidArgument', detail)
    })

    it('accepts the "./" names that `tar -C dist .` writes', async () => {
      const files = await extractAll(
        await tarGzOf([
          { name: './', type: 'directory' },
          ...SITE.map((e) => ({ ...e, name: `./${e.name}` })),
        ]),
      )
      expect(texts(files)).toEqual(EXPECTED)
    })

    it.each([
      ['hard link', 'link', /is a link/],
      ['character device', 'character-device', /not a regular file/],
      ['block device', 'block-device', /not a regular file/],
      ['fifo', 'fifo', /not a regular file/],
    ] as const)('refuses a %s', async (_, type, detail) => {
      const archive = await tarGzOf([{ name: 'x', type, linkname: 'index.html' }])
      expectCode(await extractionError(archive), 'InvalidArgument', detail)
    })

    it('refuses a streamed tar bomb without inflating it whole', async () => {
      const tar = pack()
      const gz = tar.pipe(createGzip()) as unknown as Readable
      zeros(64 * MiB).pipe(
        tar.entry({ name: 'zeros.bin', size: 64 * MiB }) as unknown as NodeJS.WritableStream,
      )
      tar.finalize()
      const error = await extractionError(gz)
      expectCode(error, 'TooLarge', /expands more than/)
      expect(gz.readableEnded).toBe(false)
    })

    it('refuses a bomb of end-of-archive blocks, which carry no entry at all', async () => {
      const bomb = gzipSync(Buffer.concat([await tarOf(SITE), Buffer.alloc(8 * MiB)]))
      expectCode(await extractionError(bomb), 'TooLarge', /expands more than/)
    })

    it('refuses gzip data that is not a tar', async () => {
      expectCode(
        await extractionError(gzipSync(Buffer.from('just text, no tar headers'.repeat(40)))),
        'InvalidArgument',
      )
    })
  })

  it('refuses a body that is neither archive, and an empty one', async () => {
    expectCode(await extractionError(Buffer.from('<html>not an archive</html>')), 'UnsupportedMediaType')
    expectCode(await extractionError(Buffer.alloc(0)), 'UnsupportedMediaType', /empty/)
  })

  it('stops with Aborted when its signal fires', async () => {
    const controller = new AbortController()
    const seen: string[] = []
    const error = await (async () => {
      try {
        for await (const entry of extractArchive(Readable.from([await zipOf(SITE)]), {
          signal: controller.signal,
        })) {
          seen.push(entry.path)
          controller.abort()
        }
      } catch (error) {
        return error
      }
    })()
    expectCode(error, 'Aborted')
    expect(seen).toEqual(['index.html'])
  })
})
