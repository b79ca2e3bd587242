import { describe, expect, it } from 'vitest'
import { contentRange, ifNoneMatchMatches, parseRange, resolveRange } from '../src/index.ts'

describe('ranges (RFC 9110 §14.1.2)', () => {
  it('parses the three forms of one range', () => {
    expect(parseRange('bytes=0-499')).toEqual({ start: 0, end: 499 })
    expect(parseRange('bytes=500-')).toEqual({ start: 500 })
    expect(parseRange('bytes=-500')).toEqual({ suffix: 500 })
    expect(parseRange(' bytes = 1 - 2 ')).toEqual({ start: 1, end: 2 })
  })

  it('refuses what it does not serve', () => {
    for (const bad of [
      'bytes=',
      'bytes=-',
      'bytes=5-1',
      'bytes=0-1,3-4',
      'pages=1-2',
      'bytes=a-b',
      'bytes=99999999999999999999-',
    ]) {
      expect(() => parseRange(bad), bad).toThrow(expect.objectContaining({ code: 'InvalidRange' }))
    }
  })

  it('resolves against the size, clipping the end', () => {
    expect(resolveRange({ start: 0, end: 499 }, 1000)).toEqual({ start: 0, end: 499, size: 1000 })
    expect(resolveRange({ start: 900, end: 2000 }, 1000)).toEqual({ start: 900, end: 999, size: 1000 })
    expect(resolveRange({ suffix: 2000 }, 1000)).toEqual({ start: 0, end: 999, size: 1000 })
    expect(resolveRange({ suffix: 5 }, 0)).toBeUndefined()
    const unsatisfiable = { code: 'InvalidRange', objectSize: 1000 }
    expect(() => resolveRange({ start: 1000 }, 1000)).toThrow(expect.objectContaining(unsatisfiable))
    expect(() => resolveRange({ start: 1000 }, 1000)).toThrow(/past the object/)
    expect(() => resolveRange({ suffix: 0 }, 1000)).toThrow(expect.objectContaining(unsatisfiable))
    expect(() => resolveRange({ suffix: 0 }, 1000)).toThrow(/at least one byte/)
    expect(contentRange({ start: 0, end: 499, size: 1000 })).toBe('bytes 0-499/1000')
  })
})

describe('If-None-Match (RFC 9110 §13.1.2, weak comparison)', () => {
  it('matches lists, weak tags, bare tags and *', () => {
    expect(ifNoneMatchMatches('"abc"', '"abc"')).toBe(true)
    expect(ifNoneMatchMatches('W/"abc"', '"abc"')).toBe(true)
    expect(ifNoneMatchMatches('"x", "abc"', '"abc"')).toBe(true)
    expect(ifNoneMatchMatches('abc', '"abc"')).toBe(true)
    expect(ifNoneMatchMatches('*', '"abc"')).toBe(true)
    expect(ifNoneMatchMatches('"abd"', '"abc"')).toBe(false)
  })
})
