import { describe, expect, it } from 'vitest'
import { ndjsonRows } from '../src/index.ts'

async function collect(chunks: (string | Uint8Array)[], maxLineBytes?: number) {
  const rows: unknown[] = []
  const body = chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))
  for await (const row of ndjsonRows(body, maxLineBytes === undefined ? {} : { maxLineBytes })) rows.push(row)
  return rows
}

async function failure(chunks: (string | Uint8Array)[], maxLineBytes?: number) {
  return collect(chunks, maxLineBytes).then(
    () => undefined,
    (error: unknown) => error as { code: string; message: string },
  )
}

describe('ndjsonRows', () => {
  it('reads objects split anywhere across chunks, with LF or CRLF endings and blank lines', async () => {
    const rows = await collect(['{"a":1}\r', '\n\n{"a"', ':"é', '"}\n', '{"a":true}'])
    expect(rows).toEqual([{ a: 1 }, { a: 'é' }, { a: true }])
  })

  it('keeps a multi-byte character split between two chunks', async () => {
    const bytes = Buffer.from('{"name":"Жанна"}\n')
    const rows = await collect([bytes.subarray(0, 11), bytes.subarray(11)])
    expect(rows).toEqual([{ name: 'Жанна' }])
  })

  it('refuses a line that is not JSON, naming its line number', async () => {
    const error = await failure(['{"a":1}\n{"a":\n'])
    expect(error).toMatchObject({ code: 'InvalidArgument', message: 'line 2 is not valid JSON' })
  })

  it('refuses a line that is not an object', async () => {
    expect(await failure(['{"a":1}\n\n[1,2]\n'])).toMatchObject({
      code: 'InvalidArgument',
      message: 'line 3 is not a JSON object',
    })
    expect(await failure(['null\n'])).toMatchObject({ code: 'InvalidArgument' })
  })

  it('refuses bytes that are not UTF-8', async () => {
    const error = await failure([Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x0a])])
    expect(error).toMatchObject({ code: 'InvalidArgument', message: 'line 1 is not valid UTF-8' })
  })

  it('stops at a line over the limit before reading the rest of it', async () => {
    let pulled = 0
    async function* endless() {
      yield Buffer.from('{"a":1}\n{"a":"')
      for (;;) {
        pulled += 1
        yield Buffer.alloc(64, 0x78)
      }
    }
    const rows: unknown[] = []
    const read = async () => {
      for await (const row of ndjsonRows(endless(), { maxLineBytes: 1000 })) rows.push(row)
    }
    await expect(read()).rejects.toMatchObject({
      code: 'TooLarge',
      message: 'line 2 is longer than the limit of 1000 bytes',
    })
    expect(rows).toEqual([{ a: 1 }])
    expect(pulled).toBeLessThanOrEqual(16)
  })

  it('accepts a line of exactly the limit, with or without CR', async () => {
    const line = `{"a":"${'x'.repeat(10)}"}`
    expect(await collect([`${line}\r\n${line}\n`], line.length)).toHaveLength(2)
    expect(await failure([`${line}x\n`], line.length)).toMatchObject({ code: 'TooLarge' })
  })
})
