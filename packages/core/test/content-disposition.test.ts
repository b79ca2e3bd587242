import { describe, expect, it } from 'vitest'
import { dispositionHeader, normalizeDisposition, parseDisposition } from '../src/index.ts'

describe('Content-Disposition', () => {
  it('reads inline and attachment, with a file name quoted, bare or in RFC 8187 form', () => {
    expect(parseDisposition('Inline')).toEqual({ kind: 'inline' })
    expect(parseDisposition('attachment; filename=report.pdf')).toEqual({
      kind: 'attachment',
      fileName: 'report.pdf',
    })
    expect(parseDisposition('inline; filename="a \\"b\\".txt"')?.fileName).toBe('a "b".txt')
    expect(parseDisposition('inline; filename="фото.txt"')?.fileName).toBe('фото.txt')
    expect(
      parseDisposition(`attachment; filename="x.txt"; filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE.txt`)
        ?.fileName,
    ).toBe('фото.txt')
    expect(parseDisposition(`attachment; filename*=iso-8859-1'fr'caf%E9.txt`)?.fileName).toBe('café.txt')
  })

  it('refuses other types, other parameters, bad encodings and control characters', () => {
    for (const bad of [
      'form-data; name=x',
      'inline; size=3',
      'inline; filename=a; filename=b',
      'inline; filename="unterminated',
      'inline, attachment',
      "inline; filename*=UTF-8''%FF",
      "inline; filename*=UTF-16''a",
      'inline; filename="a\u0000b"',
      'inline; filename="a\u0085b"',
      'inline; filename=""',
      'inline; filename="\ud800"',
      'inline\r\nx: 1',
      '',
    ]) {
      expect(parseDisposition(bad), JSON.stringify(bad)).toBeUndefined()
      expect(() => normalizeDisposition(bad)).toThrow(/inline.*attachment/)
    }
  })

  it('writes any name as printable ASCII, the exact name in filename*', () => {
    for (const name of ['фото.txt', 'café.txt', '😀 "q" 100%.txt', "it's (1).txt"]) {
      const header = normalizeDisposition(dispositionHeader('inline', name))
      expect(header).toMatch(/^[\x20-\x7e]+$/)
      expect(parseDisposition(header)).toEqual({ kind: 'inline', fileName: name })
    }
    expect(normalizeDisposition('ATTACHMENT')).toBe('attachment')
    // 150 Cyrillic letters fit in 1024 characters, not once percent-encoded: refused, not cut at serving.
    expect(() => normalizeDisposition(`inline; filename="${'ф'.repeat(150)}"`)).toThrow(/too long/)
  })
})
