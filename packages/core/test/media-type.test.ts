import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createStorage,
  essence,
  isActiveType,
  MAX_MEDIA_TYPE_LENGTH,
  matchesType,
  memoryDriver,
  normalizeMediaType,
  parseMediaType,
  serializeMediaType,
} from '../src/index.ts'

// A faithful transcription of how a browser reads `Content-Type`: Fetch's "extract a MIME type"
// (https://fetch.spec.whatwg.org/#concept-header-extract-mime-type) over "get, decode, and split"
// (#concept-header-list-get-decode-split), with MIME Sniffing's "parse a MIME type"
// (https://mimesniff.spec.whatwg.org/#parse-a-mime-type). Step numbers follow the standards.

const HTTP_WHITESPACE = '\n\r\t '
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const QUOTED_STRING_TOKEN = /^[\t\u0020-\u007e\u0080-\u00ff]*$/

interface WhatwgMime {
  type: string
  subtype: string
  parameters: Map<string, string>
}

/** "collect a sequence of code points" that are not in `stop`. */
function collect(input: string, position: { at: number }, stop: string): string {
  const start = position.at
  while (position.at < input.length && !stop.includes(input.charAt(position.at))) position.at++
  return input.slice(start, position.at)
}

/** "collect an HTTP quoted string". */
function collectQuoted(input: string, position: { at: number }, extractValue: boolean): string {
  const positionStart = position.at
  let value = ''
  position.at++ // 4: past the opening quote
  for (;;) {
    value += collect(input, position, '"\\')
    if (position.at >= input.length) break
    const quoteOrBackslash = input.charAt(position.at)
    position.at++
    if (quoteOrBackslash === '\\') {
      if (position.at >= input.length) {
        value += '\\'
        break
      }
      value += input.charAt(position.at)
      position.at++
    } else {
      break
    }
  }
  return extractValue ? value : input.slice(positionStart, position.at)
}

const trimStart = (s: string, set: string) => {
  let i = 0
  while (i < s.length && set.includes(s.charAt(i))) i++
  return s.slice(i)
}
const trimEnd = (s: string, set: string) => {
  let i = s.length
  while (i > 0 && set.includes(s.charAt(i - 1))) i--
  return s.slice(0, i)
}

/** MIME Sniffing: "parse a MIME type". */
function whatwgParse(raw: string): WhatwgMime | undefined {
  const input = trimEnd(trimStart(raw, HTTP_WHITESPACE), HTTP_WHITESPACE)
  const position = { at: 0 }
  const type = collect(input, position, '/')
  if (type === '' || !TOKEN.test(type)) return undefined
  if (position.at >= input.length) return undefined
  position.at++
  const subtype = trimEnd(collect(input, position, ';'), HTTP_WHITESPACE)
  if (subtype === '' || !TOKEN.test(subtype)) return undefined
  const mime: WhatwgMime = { type: type.toLowerCase(), subtype: subtype.toLowerCase(), parameters: new Map() }
  while (position.at < input.length) {
    position.at++
    while (position.at < input.length && HTTP_WHITESPACE.includes(input.charAt(position.at))) position.at++
    const name = collect(input, position, ';=').toLowerCase()
    if (position.at < input.length) {
      if (input.charAt(position.at) === ';') continue
      position.at++
    }
    if (position.at >= input.length) break
    let value: string
    if (input.charAt(position.at) === '"') {
      value = collectQuoted(input, position, true)
      collect(input, position, ';')
    } else {
      value = trimEnd(collect(input, position, ';'), HTTP_WHITESPACE)
      if (value === '') continue
    }
    if (name !== '' && TOKEN.test(name) && QUOTED_STRING_TOKEN.test(value) && !mime.parameters.has(name)) {
      mime.parameters.set(name, value)
    }
  }
  return mime
}

/** Fetch: "get, decode, and split" one header value. */
function split(value: string): string[] {
  const position = { at: 0 }
  const values: string[] = []
  let temporary = ''
  for (;;) {
    temporary += collect(value, position, '",')
    if (position.at < value.length && value.charAt(position.at) === '"') {
      temporary += collectQuoted(value, position, false)
      if (position.at < value.length) continue
    }
    values.push(trimEnd(trimStart(temporary, '\t '), '\t '))
    temporary = ''
    if (position.at >= value.length) return values
    position.at++ // the comma
  }
}

/** Fetch: "extract a MIME type" from a response whose only `Content-Type` is `header`. */
function whatwgEssence(header: string): string | undefined {
  let found: WhatwgMime | undefined
  for (const value of split(header)) {
    const mime = whatwgParse(value)
    if (mime === undefined || `${mime.type}/${mime.subtype}` === '*/*') continue
    found = mime
  }
  return found === undefined ? undefined : `${found.type}/${found.subtype}`
}

/** Pieces that make near-misses of the grammar likely, which random text almost never does. */
const PIECES = [
  'text/html',
  'image/png',
  '*/*',
  'text',
  'html',
  'image',
  'png',
  'plain',
  'svg+xml',
  '*',
  '/',
  ';',
  ',',
  '=',
  '"',
  '\\',
  ' ',
  '\t',
  '\n',
  '\r',
  'charset',
  'utf-8',
  'x',
  '(',
  ')',
  'é',
  'ф',
  '\u0000',
  '\u007f',
  '\u00a0',
  "'",
  '.',
  '-',
]
const nearMiss = fc.array(fc.constantFrom(...PIECES), { maxLength: 14 }).map((parts) => parts.join(''))
const token = fc.oneof(
  fc.constantFrom('*', 'text', 'html', 'image', 'png', 'svg+xml', 'charset'),
  fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,8}$/),
)
const quotedOrToken = fc.oneof(
  token,
  fc.string({ maxLength: 8 }).map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`),
  fc.string({ maxLength: 8 }),
)
/** Mostly well-formed types with odd parameters and whitespace. */
const shaped = fc
  .tuple(
    fc.constantFrom(' ', '', '\t'),
    token,
    token,
    fc.array(
      fc.tuple(
        fc.constantFrom(';', ' ;', '; ', ';\t', ',', ';,'),
        token,
        fc.constantFrom('=', ' =', ''),
        quotedOrToken,
      ),
      { maxLength: 3 },
    ),
    fc.constantFrom('', ' ', ';', ',', ', text/html', ';,text/html', '\t'),
  )
  .map(
    ([lead, type, subtype, params, tail]) =>
      `${lead}${type}/${subtype}${params.map((p) => p.join('')).join('')}${tail}`,
  )
const anyType = fc.oneof(
  nearMiss,
  shaped,
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
)

describe('the WHATWG transcription', () => {
  it('reads the known cases as browsers do', () => {
    expect(whatwgEssence('image/png;,text/html')).toBe('text/html')
    expect(whatwgEssence('text/plain;,text/html')).toBe('text/html')
    expect(whatwgEssence('text/html, */*')).toBe('text/html')
    expect(whatwgEssence('text/plain; a="x,text/html"')).toBe('text/plain')
    expect(whatwgEssence('Text/HTML ; charset=utf-8')).toBe('text/html')
    expect(whatwgEssence('*/*')).toBeUndefined()
    expect(whatwgEssence('nonsense')).toBeUndefined()
  })
})

describe('parseMediaType', () => {
  it('refuses a list of types, and everything but one type/subtype', () => {
    for (const bad of [
      'image/png;,text/html',
      'image/png,text/html',
      'text/plain; a="x,text/html"',
      '*/*',
      'image/*',
      'text/plain; charset=utf-8; charset=latin1',
      'text/plain; charset="unterminated',
      'text/plain; a="x"y',
      'text/plain; charset =utf-8',
      'text/plain; a="é"',
      'text/pl ain',
      'text/plain\r\nx-evil: 1',
      'text/html\u0000',
      'image/png; a=b c',
      `text/plain; a="${'x'.repeat(MAX_MEDIA_TYPE_LENGTH)}"`,
      'nonsense',
      '',
    ]) {
      expect(parseMediaType(bad), JSON.stringify(bad)).toBeUndefined()
      expect(() => normalizeMediaType(bad)).toThrow(/type\/subtype/)
    }
  })

  it('normalises what it accepts: lower-case type and names, tokens bare, other values quoted', () => {
    expect(normalizeMediaType(' Text/Plain ; Charset=UTF-8 ;')).toBe('text/plain;charset=UTF-8')
    expect(normalizeMediaType('application/x-thing; a="b c"; b="tok"; c="q\\"d"')).toBe(
      'application/x-thing;a="b c";b=tok;c="q\\"d"',
    )
    expect(normalizeMediaType('IMAGE/SVG+XML')).toBe('image/svg+xml')
    expect(parseMediaType('text/plain;;  ;charset=x')?.parameters.get('charset')).toBe('x')
  })

  it('gives, for every type it accepts, the essence a browser reads, before and after normalising', () => {
    fc.assert(
      fc.property(anyType, (value) => {
        const parsed = parseMediaType(value)
        if (parsed === undefined) return
        const sent = serializeMediaType(parsed)
        expect(sent).toMatch(/^[\x20-\x7e]+$/)
        expect(whatwgEssence(value)).toBe(parsed.essence)
        expect(whatwgEssence(sent)).toBe(parsed.essence)
        expect(normalizeMediaType(sent)).toBe(sent)
      }),
      { numRuns: 20_000, seed: 15_001 },
    )
  })

  it('calls active every type that a browser could read as another type than Coffer does', () => {
    fc.assert(
      fc.property(anyType, (value) => {
        if (!isActiveType(value)) expect(whatwgEssence(value)).toBe(essence(value))
      }),
      { numRuns: 20_000, seed: 15_002 },
    )
    expect(isActiveType('image/png;,text/html')).toBe(true)
    expect(isActiveType('multipart/x-mixed-replace;boundary=x')).toBe(true)
    expect(matchesType('image/png;,text/html', ['image/*'])).toBe(false)
  })
})

describe('the library, where it accepts a type or a disposition', () => {
  it('refuses a type list or a bad disposition on upload, copy and signing, and stores the canonical form', async () => {
    const storage = createStorage({
      driver: memoryDriver(),
      signingSecret: 'a secret of 32 bytes, not less!!',
      baseUrl: 'http://127.0.0.1:1/signed',
    })
    const refused = { code: 'InvalidArgument' }
    await expect(
      storage.upload('hi', { key: 'a.png', contentType: 'image/png;,text/html' }),
    ).rejects.toMatchObject(refused)
    await expect(
      storage.upload('hi', { key: 'a.txt', contentDisposition: 'inline, attachment' }),
    ).rejects.toMatchObject(refused)
    const stored = await storage.upload('hi', {
      key: 'a.txt',
      contentType: 'Text/Plain ; Charset=UTF-8',
      contentDisposition: 'Inline; filename="фото.txt"',
    })
    expect(stored.contentType).toBe('text/plain;charset=UTF-8')
    expect((await storage.stat('a.txt')).contentDisposition).toBe(
      `inline; filename="____.txt"; filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE.txt`,
    )
    await expect(
      storage.copy('a.txt', 'b.txt', { contentType: 'text/plain;,text/html' }),
    ).rejects.toMatchObject(refused)
    expect((await storage.copy('a.txt', 'c.txt', { contentType: 'TEXT/csv' })).contentType).toBe('text/csv')
    for (const pins of [
      { contentType: 'text/plain;,text/html' },
      { contentDisposition: 'inline; filename="a\u0007"' },
    ]) {
      await expect(
        storage.generatePresignedUrl('a.txt', { method: 'GET', expiresIn: 60, ...pins }),
      ).rejects.toMatchObject(refused)
    }
  })
})
