import { describe, expect, it } from 'vitest'
import { generateUniqueObjectName } from '../src/index.ts'

describe('generateUniqueObjectName', () => {
  it('makes prefix/<time-sortable id>-<slug>.<ext>', () => {
    const key = generateUniqueObjectName('Réunion Été 2026 (v2).PDF', { prefix: 'projects/42/' })
    expect(key).toMatch(/^projects\/42\/[0-9a-z]{26}-reunion-ete-2026-v2\.pdf$/)
  })

  it('keeps only a safe extension and a non-empty ASCII slug', () => {
    expect(generateUniqueObjectName('C:\\fakepath\\photo.jpeg')).toMatch(/^[0-9a-z]{26}-photo\.jpeg$/)
    expect(generateUniqueObjectName('../../etc/passwd')).toMatch(/^[0-9a-z]{26}-passwd$/)
    expect(generateUniqueObjectName('日本語.txt')).toMatch(/^[0-9a-z]{26}-file\.txt$/)
    expect(generateUniqueObjectName('.env')).toMatch(/^[0-9a-z]{26}-env$/)
    expect(generateUniqueObjectName('x.<script>')).toMatch(/^[0-9a-z]{26}-x$/)
    expect(generateUniqueObjectName('a'.repeat(500))).toHaveLength(26 + 1 + 80)
  })

  it('never repeats and sorts by creation', () => {
    const keys = Array.from({ length: 10_000 }, () => generateUniqueObjectName('same.png'))
    expect(new Set(keys).size).toBe(keys.length)
    expect([...keys].sort()).toEqual(keys)
  })

  it('refuses an invalid prefix', () => {
    expect(() => generateUniqueObjectName('a.png', { prefix: '../up' })).toThrow(
      expect.objectContaining({ code: 'InvalidKey' }),
    )
  })
})
