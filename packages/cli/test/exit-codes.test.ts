import { ERROR_CODES } from '@coffer/core'
import { describe, expect, it } from 'vitest'
import { EXIT, EXIT_OF_CODE, exitCodeOfCode } from '../src/exit-codes.ts'

describe('exit codes', () => {
  it('give every error code of the service a family, and unknown codes "invalid"', () => {
    expect(Object.keys(EXIT_OF_CODE).sort()).toEqual([...ERROR_CODES].sort())
    expect(exitCodeOfCode('NotFound')).toBe(EXIT.notFound)
    expect(exitCodeOfCode('QuotaExceeded')).toBe(EXIT.tooLarge)
    expect(exitCodeOfCode('TooManyRequests')).toBe(EXIT.unavailable)
    expect(exitCodeOfCode('PreconditionFailed')).toBe(EXIT.invalid)
    for (const unknown of ['SomethingNew', 'toString', '__proto__']) {
      expect(exitCodeOfCode(unknown)).toBe(EXIT.invalid)
    }
  })
})
