import fc from 'fast-check'

// The odd values the fuzzer sends: each list names the inputs an earlier review found bugs with,
// beside random ones, so that a short seeded pass meets them and a long one explores around them.

/** The buckets the fuzzed service starts with (see `FIXTURE_BUCKETS`), and some names that are not. */
export const bucketName = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('fz-open', 'fz-public', 'fz-quota', 'fz-types') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'FZ-OPEN',
      'ab',
      '..',
      'x'.repeat(70),
      '%2e%2e',
      'fz-open%00',
      'фото',
      'nope-none',
    ),
  },
)

/** Who sends a request; `{token:…}` placeholders are resolved to the fixture keys' tokens. */
export const authorization = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .constantFrom('admin', 'scoped', 'reader', 'quota-admin', 'writer')
      .map((r) => `Bearer {token:${r}}`),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      'Bearer',
      'Bearer ',
      'Bearer cfr_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      'Basic Zm9vOmJhcg==',
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      'Bearer фото',
      `Bearer ${'a'.repeat(5000)}`,
    ),
  },
)

const specialSegment = fc.constantFrom(
  'фото.txt',
  '写真.png',
  'e\u0301.txt',
  'é',
  'ÿ',
  'ß',
  '😀',
  '\u202Eexe.txt',
  '\u2066x\u2069',
  'a\u0000b',
  '..',
  '.',
  '',
  '%',
  '%2F',
  '%2e%2e',
  '%00',
  '%zz',
  '%C0%AF',
  'CON',
  'a ',
  ' ',
  'a\\b',
  'a?b',
  'a#b',
  '\uFEFF',
  '\uD800',
  '~',
  '*',
  'a\tb',
  'a\r\nb',
  'a'.repeat(255),
  'a'.repeat(256),
  'é'.repeat(128),
  'я'.repeat(200),
  'x'.repeat(1025),
)

/** One path segment of a key: mostly plain names, then the characters keys have broken on. */
export const segment = fc.oneof(
  { weight: 14, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,11}$/) },
  { weight: 3, arbitrary: specialSegment },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }) },
)

/** An object key: a few segments, often under the prefix the scoped key may write (`u1/`). */
export const objectKey = fc
  .tuple(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([scoped, parts, folder]) => `${scoped ? 'u1/' : ''}${parts.join('/')}${folder ? '/' : ''}`)

/** How a key goes into a URL path. */
export type KeyEncoding = 'segments' | 'raw' | 'whole'
export const keyEncoding = fc.constantFrom<KeyEncoding>('segments', 'segments', 'raw', 'whole')

function encodeLoosely(text: string): string {
  return text.isWellFormed() ? encodeURIComponent(text) : text
}

/** A key as a URL path: each segment percent-encoded, sent raw, or encoded whole (`/` as `%2F`). */
export function keyPath(key: string, encoding: KeyEncoding): string {
  if (encoding === 'raw') return key
  if (encoding === 'whole') return encodeLoosely(key)
  return key.split('/').map(encodeLoosely).join('/')
}

/** Declared content types: valid ones, lists a browser reads differently (`image/png;,text/html`), junk. */
export const contentType = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'text/plain',
      'image/png',
      'application/octet-stream',
      'text/plain; charset=utf-8',
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'text/plain',
      'image/png',
      'image/png;,text/html',
      'text/plain;,text/html',
      'image/png, text/html',
      'image/svg+xml',
      'text/html',
      'application/octet-stream',
      'IMAGE/PNG',
      'image/png; charset=utf-8',
      'text/plain; charset="utf-8"',
      'text/plain; charset=ü',
      'text/plain; name=фото',
      'image/png; x="a,text/html"',
      'image/*',
      '*/*',
      '',
      ';',
      'image/',
      '/png',
      'text/plain;;;',
      'multipart/form-data; boundary=x',
      'application/problem+json',
      `${'x'.repeat(300)}/y`,
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.stringMatching(/^[a-z*]{1,8}$/), fc.stringMatching(/^[a-z0-9.+*-]{1,10}$/))
      .map(([type, sub]) => `${type}/${sub}`),
  },
)

/** A header value: plain, Latin-1, beyond Latin-1, long, or with bytes a header must not hold. */
export const headerValue = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[ -~]{0,30}$/) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'café',
      'фото',
      '写真',
      '\u202Eevil',
      'a\u0000b',
      'x'.repeat(9000),
      '',
      ' ',
      '"',
    ),
  },
)

/** Numbers in JSON as text: the limits of doubles and integers, and things that are not numbers. */
export const numberText = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '0',
      '1',
      '-1',
      '1.5',
      '-0',
      '1e2',
      '4096.0',
      '1e400',
      '-1e400',
      '9007199254740991',
      '9007199254740992',
      '9007199254740994',
      '18446744073709551616',
      '1e308',
      'null',
      'true',
      '"1024"',
      '[]',
      '{}',
      '"Infinity"',
    ),
  },
  { weight: 6, arbitrary: fc.nat(100_000).map(String) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)) },
)

/** Mostly absent (undefined), sometimes a value of `arbitrary`: one odd header at a time, not all. */
export function sometimes<T>(arbitrary: fc.Arbitrary<T>, absent = 3): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary })
}

/** Values for numeric query parameters (limit, days, minSize…). */
export const queryNumber = fc.oneof(
  fc.integer({ min: 1, max: 100 }).map(String),
  fc.constantFrom(
    'Infinity',
    '-Infinity',
    '1e400',
    'NaN',
    '-1',
    '0',
    '1.5',
    '1001',
    '',
    'abc',
    '%00',
    '0x10',
    '1e3',
  ),
  fc.integer({ min: -5, max: 2000 }).map(String),
)

/** An object body: empty, short text, bytes, or a few KiB (past the quota bucket's limits). */
export const objectBody = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }).map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.constantFrom(0, 2049, 5000, 70_000).map((n) => Buffer.alloc(n, 0x61)) },
  { weight: 1, arbitrary: fc.constant(Buffer.from('<html><script>alert(1)</script>')) },
  { weight: 1, arbitrary: fc.constant(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')) },
)

/** `Range` header values: single, suffix, multiple, unsatisfiable, reversed, other units, junk. */
export const rangeHeader = fc.constantFrom(
  'bytes=0-0',
  'bytes=-1',
  'bytes=5-',
  'bytes=0-1,3-4',
  'bytes=99999-',
  'bytes=1-0',
  'bytes=-0',
  'items=0-1',
  'bytes=0-9007199254740993',
  'bytes= 0-1',
  'bytes=-99999999999999999999',
  'bytes=фото',
)
