import { describe, expect, it } from 'vitest'
import type { Scope } from '../src/api/types.ts'
import { searchRoot } from '../src/lib/abilities.ts'
import { movesInto } from '../src/lib/move-plan.ts'
import { DEFAULT_VIEW, searchOf, viewOf } from '../src/lib/view-address.ts'

describe('the view in the address', () => {
  it('round-trips every field, and the default view is no query at all', () => {
    const view = {
      sort: 'size' as const,
      order: 'desc' as const,
      q: 'a&b=c #d',
      type: 'image/*',
      everywhere: true,
    }
    expect(viewOf(searchOf(view))).toEqual(view)
    expect(searchOf(DEFAULT_VIEW)).toBe('')
    expect(viewOf('')).toEqual(DEFAULT_VIEW)
  })

  it('falls back to the default for unknown or malformed values, and cuts a long search', () => {
    expect(viewOf('?sort=evil&order=sideways&in=moon')).toEqual(DEFAULT_VIEW)
    expect(viewOf(`?q=${'x'.repeat(1000)}`).q).toHaveLength(256)
    // Broken percent-encoding (a link cut short) still opens the folder.
    expect(() => viewOf('?q=%E0%A4%A')).not.toThrow()
  })
})

describe('Move to…', () => {
  it('keeps each name in the chosen folder and leaves out what is already there', () => {
    expect(movesInto(['a/x.txt', 'a/sub/', 'b/y.txt'], 'b/')).toEqual([
      { from: 'a/x.txt', to: 'b/x.txt' },
      { from: 'a/sub/', to: 'b/sub/' },
    ])
    expect(movesInto(['a/x.txt'], '')).toEqual([{ from: 'a/x.txt', to: 'x.txt' }])
  })

  it('refuses a folder into itself or below itself, in words', () => {
    expect(() => movesInto(['a/'], 'a/')).toThrow('a cannot be moved into itself')
    expect(() => movesInto(['a/'], 'a/b/')).toThrow('a cannot be moved into itself')
    expect(movesInto(['a/'], 'ab/')).toEqual([{ from: 'a/', to: 'ab/a/' }])
  })
})

describe('where a search of the whole bucket starts', () => {
  const who = (scopes: Scope[]) => ({
    kind: 'key' as const,
    id: 'k',
    name: 'k',
    scopes,
  })
  it('is the root for a bucket-wide key, the widest listable prefix for a scoped one', () => {
    expect(searchRoot(who([{ bucket: '*', permissions: ['admin'] }]), 'b', 'x/y/')).toBe('')
    expect(searchRoot(who([{ bucket: 'b', prefix: 'x/', permissions: ['list'] }]), 'b', 'x/y/')).toBe('x/')
    expect(searchRoot(who([{ bucket: 'b', prefix: 'us*', permissions: ['list'] }]), 'b', 'users/')).toBe('us')
    // A scope that may read but not list does not make a search root.
    expect(searchRoot(who([{ bucket: 'b', permissions: ['read'] }]), 'b', 'x/')).toBe('x/')
  })
})
