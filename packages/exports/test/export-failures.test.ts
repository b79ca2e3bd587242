import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createExport, EXPORT_FORMATS, type ExportRow } from '../src/index.ts'
import { everything, useStorage } from './export-fixture.ts'

const { storage, root } = useStorage()

/** NDJSON with a bad line after `good` good ones, arriving in many chunks. */
function badAfter(good: number): Readable {
  async function* lines() {
    for (let i = 0; i < good; i++) yield Buffer.from(`{"i":${i},"text":"${'x'.repeat(100)}"}\n`)
    yield Buffer.from('{"i": oops}\n')
    yield Buffer.from('{"i":-1}\n')
  }
  return Readable.from(lines(), { objectMode: false })
}

describe('createExport failures store nothing', () => {
  for (const format of EXPORT_FORMATS) {
    it(`${format}: a bad NDJSON line deep in the body fails the export with its line number`, async () => {
      const failure = createExport(storage(), badAfter(5000), { format, filename: 'bad' })
      await expect(failure).rejects.toMatchObject({
        code: 'InvalidArgument',
        message: 'line 5001 is not valid JSON',
      })
      expect(await everything(storage(), root())).toEqual({ keys: [], files: [] })
    })
  }

  it('a file over maxSize fails with TooLarge', async () => {
    const failure = createExport(storage(), badAfter(10_000), {
      format: 'csv',
      filename: 'big',
      maxSize: 64 * 1024,
    })
    await expect(failure).rejects.toMatchObject({ code: 'TooLarge' })
    expect(await everything(storage(), root())).toEqual({ keys: [], files: [] })
  })

  it('an abort stops the export and the rows are no longer read', async () => {
    const controller = new AbortController()
    let read = 0
    async function* endless(): AsyncGenerator<ExportRow> {
      for (;;) {
        read += 1
        if (read === 2000) controller.abort()
        yield { read }
      }
    }
    const failure = createExport(storage(), endless(), {
      format: 'xlsx',
      filename: 'x',
      signal: controller.signal,
    })
    await expect(failure).rejects.toMatchObject({ code: 'Aborted' })
    const stopped = read
    await new Promise((resolve) => setImmediate(resolve))
    expect(read).toBe(stopped)
    expect(await everything(storage(), root())).toEqual({ keys: [], files: [] })
  })

  it('refuses rows that are not objects, and bad options, before writing', async () => {
    await expect(
      createExport(storage(), [{ a: 1 }, 'x' as unknown as ExportRow], { format: 'json', filename: 'f' }),
    ).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: 'row 2 is not a JSON object',
    })
    const bad = [
      { format: 'docx', filename: 'f' },
      { format: 'csv', filename: '' },
      { format: 'csv', filename: 'a\u0000b' },
      { format: 'csv', filename: 'invoice\u202Efdp.exe' },
      { format: 'csv', filename: 'f', expiresIn: 0 },
      { format: 'csv', filename: 'f', columns: [{ key: 'a', type: 'money' }] },
      { format: 'csv', filename: 'f', key: '../escape' },
    ]
    for (const options of bad) {
      await expect(createExport(storage(), [{ a: 1 }], options as never)).rejects.toMatchObject({
        code: expect.stringMatching(/^(InvalidArgument|InvalidKey)$/),
      })
    }
    expect(await everything(storage(), root())).toEqual({ keys: [], files: [] })
  })
})
