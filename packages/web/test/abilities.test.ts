import { describe, expect, it } from 'vitest'
import type { Whoami } from '../src/api/types.ts'
import { ALL, abilitiesIn, allows, viewOnly } from '../src/lib/abilities.ts'

const who = (scopes: Whoami['scopes']): Whoami => ({ kind: 'key', id: 'k', name: 'k', scopes })

describe('what a credential may do, as the server reads its scopes', () => {
  it('reads folder prefixes, string prefixes, every bucket and admin', () => {
    const folder = who([{ bucket: 'docs', prefix: 'users/jose/', permissions: ['write'] }])
    expect(allows(folder, 'docs', 'users/jose/x', 'write')).toBe(true)
    expect(allows(folder, 'docs', 'users/josephine/x', 'write')).toBe(false)
    expect(allows(folder, 'other', 'users/jose/x', 'write')).toBe(false)
    const string = who([{ bucket: 'docs', prefix: 'users/jo*', permissions: ['write'] }])
    expect(allows(string, 'docs', 'users/josephine/', 'write')).toBe(true)
    const admin = who([{ bucket: '*', prefix: '', permissions: ['admin'] }])
    expect(abilitiesIn(admin, 'any', '')).toEqual(ALL)
    expect(viewOnly(admin)).toBe(false)
  })

  it('moves only with read, write and delete; offers everything without a whoami', () => {
    const writer = who([{ bucket: 'docs', permissions: ['read', 'write', 'list'] }])
    expect(abilitiesIn(writer, 'docs', '')).toEqual({ write: true, delete: false, move: false, sign: false })
    expect(viewOnly(who([{ bucket: 'docs', permissions: ['read', 'list', 'sign'] }]))).toBe(true)
    expect(abilitiesIn(undefined, 'docs', '')).toEqual(ALL)
  })
})
