import { describe, expect, test } from 'vitest'
import { acceptedImageTypes, negotiateFormat } from '../src/index.ts'

const CHROME = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8'
const SAFARI_15 = 'image/webp,image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5'

describe('negotiateFormat', () => {
  test('auto picks AVIF, then WebP, then the original format', () => {
    expect(negotiateFormat('auto', { accept: CHROME, source: 'jpeg', animated: false })).toBe('avif')
    expect(negotiateFormat(undefined, { accept: SAFARI_15, source: 'jpeg', animated: false })).toBe('webp')
    expect(negotiateFormat('auto', { accept: '*/*', source: 'png', animated: false })).toBe('png')
    expect(negotiateFormat('auto', { accept: undefined, source: 'jpeg', animated: false })).toBe('jpeg')
  })

  test('a zero weight means not accepted', () => {
    expect(
      negotiateFormat('auto', { accept: 'image/avif;q=0, image/webp', source: 'jpeg', animated: false }),
    ).toBe('webp')
  })

  test('animations stay animated: never AVIF, else the original format (GIF for HEIF)', () => {
    expect(negotiateFormat('auto', { accept: CHROME, source: 'gif', animated: true })).toBe('webp')
    expect(negotiateFormat('auto', { accept: '*/*', source: 'gif', animated: true })).toBe('gif')
    expect(negotiateFormat('auto', { accept: '*/*', source: 'heif', animated: true })).toBe('gif')
  })

  test('origin keeps formats a render writes and turns the rest into PNG (AVIF for HEIF)', () => {
    expect(negotiateFormat('origin', { accept: CHROME, source: 'webp', animated: false })).toBe('webp')
    expect(negotiateFormat('origin', { source: 'tiff', animated: false })).toBe('png')
    expect(negotiateFormat('origin', { source: 'svg', animated: false })).toBe('png')
    expect(negotiateFormat('origin', { source: 'heif', animated: false })).toBe('avif')
  })

  test('an explicit format wins over Accept', () => {
    expect(negotiateFormat('jpeg', { accept: CHROME, source: 'png', animated: false })).toBe('jpeg')
  })

  test('acceptedImageTypes ignores wildcards', () => {
    expect([...acceptedImageTypes(CHROME)]).toEqual([
      'image/avif',
      'image/webp',
      'image/apng',
      'image/svg+xml',
    ])
  })
})
