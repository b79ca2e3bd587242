import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { peek } from '../src/driver-kit.ts'
import { detectContentType, isActiveType, matchesType } from '../src/index.ts'

const detect = (head: string | Buffer, name?: string, declared?: string) =>
  detectContentType({
    head: Buffer.from(head),
    ...(name === undefined ? {} : { name }),
    ...(declared === undefined ? {} : { declared }),
  })

describe('content types', () => {
  it('trusts recognised bytes over the claim', async () => {
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1')
    expect(await detect(gif, 'x.js', 'text/javascript')).toBe('image/gif')
    expect(await detect('  <!DOCTYPE html><p>hi', 'x.png', 'image/png')).toBe('text/html')
    expect(await detect('<?xml version="1.0"?><svg/>', 'a.txt')).toBe('image/svg+xml')
    expect(await detect('<html>', 'notes.txt')).toBe('text/html')
  })

  it('keeps the claim when the bytes say nothing', async () => {
    expect(await detect('hello', 'notes.md')).toBe('text/markdown')
    expect(await detect('alert(1)', 'app.js')).toBe('text/javascript')
    expect(await detect('x', undefined, 'application/octet-stream')).toBe('application/octet-stream')
    expect(await detect('<html', 'a.txt')).toBe('text/plain') // no tag end: not HTML by the WHATWG rules
  })

  it('refuses a malformed declared type', async () => {
    await expect(detect('x', 'a', 'text/html\r\nX-Evil: 1')).rejects.toThrow(/type\/subtype/)
    await expect(detect('x', 'a', 'nonsense')).rejects.toThrow(/type\/subtype/)
  })

  it('matches allow-lists with wildcards', () => {
    expect(matchesType('image/png', ['image/*'])).toBe(true)
    expect(matchesType('Image/PNG; q=1', ['image/png'])).toBe(true)
    expect(matchesType('imagex/png', ['image/*'])).toBe(false)
    expect(matchesType('text/plain', ['image/*', 'application/pdf'])).toBe(false)
    expect(matchesType('text/plain', ['*/*'])).toBe(true)
  })

  it('knows which types can run script', () => {
    for (const t of [
      'text/html',
      'image/svg+xml',
      'application/xhtml+xml',
      'text/javascript',
      'application/rss+xml',
    ]) {
      expect(isActiveType(t), t).toBe(true)
    }
    for (const t of ['image/png', 'application/pdf', 'text/plain', 'application/json'])
      expect(isActiveType(t), t).toBe(false)
  })
})

describe('peek', () => {
  it('reads only the head and loses no byte', async () => {
    let pulled = 0
    const source = new Readable({
      read() {
        pulled++
        this.push(pulled > 100 ? null : Buffer.alloc(1000, pulled))
      },
    })
    const { head, body } = await peek(source, 4100)
    expect(head.length).toBe(4100)
    expect(pulled).toBeLessThan(30)
    const all = Buffer.concat(await body.toArray())
    expect(all.length).toBe(100_000)
    expect(all[99_999]).toBe(100)
  })

  it('handles bodies shorter than the head and object-mode string streams', async () => {
    const { head, body } = await peek(Readable.from(['ab', 'c']), 4100)
    expect(head.toString()).toBe('abc')
    expect(Buffer.concat(await body.toArray()).toString()).toBe('abc')
  })
})
