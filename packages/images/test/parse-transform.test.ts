import { describe, expect, test } from 'vitest'
import { canonicalTransform, parseTransform, transformDigest } from '../src/index.ts'

const canonical = (input: Parameters<typeof parseTransform>[0]) => canonicalTransform(parseTransform(input))

describe('parseTransform', () => {
  test('reads query strings, objects and the comma form into one canonical form', () => {
    const expected = 'w=200,h=100,fit=contain,position=northeast,format=webp,q=70,frame=first'
    expect(
      canonical(
        new URLSearchParams('q=70&fit=contain&w=200&h=100&format=webp&position=top-right&frame=first'),
      ),
    ).toBe(expected)
    expect(
      canonical({
        width: 200,
        height: 100,
        resize: 'contain',
        quality: 70,
        format: 'WEBP',
        gravity: 'northeast',
        frame: 'first',
      }),
    ).toBe(expected)
    expect(canonical('w=200, h=100 ,fit=contain,pos=top-right,format=webp,q=70,frame=first')).toBe(expected)
  })

  test('multiplies dpr into the size and caps it at 4096', () => {
    expect(canonical('w=100,h=50,dpr=2')).toBe('w=200,h=100')
    expect(canonical('w=100,dpr=1.5')).toBe('w=150')
    expect(canonical('w=3000,dpr=3')).toBe('w=4096')
    expect(canonical('dpr=2')).toBe('')
  })

  test('leaves out defaults and what changes nothing', () => {
    expect(canonical('w=10,h=10,fit=cover,position=center,format=auto,frame=all')).toBe('w=10,h=10')
    // One side: the aspect ratio decides the other, so fit and position don't matter.
    expect(canonical('w=10,fit=contain,position=left')).toBe('w=10')
    expect(canonical('w=10,h=10,fit=fill,position=left')).toBe('w=10,h=10,fit=fill')
    expect(canonical('format=png,q=50')).toBe('format=png')
    expect(canonical({})).toBe('')
  })

  test('equal renders get equal digests, others different ones', () => {
    const a = parseTransform('w=100,dpr=2,format=webp')
    const b = parseTransform({ w: 200, format: 'webp' })
    expect(transformDigest(a, 'etag1')).toBe(transformDigest(b, 'etag1'))
    expect(transformDigest(a, 'etag2')).not.toBe(transformDigest(b, 'etag1'))
    expect(transformDigest(a, 'etag1')).toMatch(/^[\w-]{32}$/)
  })

  test.each([
    ['w=0', /w must be an integer from 1 to 4096/],
    ['w=4097', /w must be/],
    ['w=1.5', /w must be/],
    ['w=-5', /w must be/],
    ['h=abc', /h must be/],
    ['q=19', /q must be/],
    ['q=101', /q must be/],
    ['dpr=4', /dpr must be/],
    ['dpr=0.5', /dpr must be/],
    ['fit=stretch', /fit must be one of/],
    ['format=bmp', /format must be one of/],
    ['position=middle', /position must be one of/],
    ['w=10,h=10,fit=contain,position=attention', /works only with fit=cover/],
    ['frame=2', /frame must be/],
    ['colour=red', /unknown render parameter: colour/],
    ['w=1,width=2', /w is given more than once/],
    ['w', /name=value/],
  ])('%s is refused with InvalidArgument', (input, message) => {
    expect(() => parseTransform(input)).toThrow(
      expect.objectContaining({ code: 'InvalidArgument', message: expect.stringMatching(message) }),
    )
  })

  test('skips the parameters the caller owns', () => {
    expect(
      canonicalTransform(
        parseTransform(new URLSearchParams('w=5&sig=abc&exp=1'), { ignore: ['sig', 'exp'] }),
      ),
    ).toBe('w=5')
  })

  test('an echoed unknown name is cut short', () => {
    expect(() => parseTransform({ ['x'.repeat(500)]: '1' })).toThrow(/^unknown render parameter: x{40}…$/)
  })
})
