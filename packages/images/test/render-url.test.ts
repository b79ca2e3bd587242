import { expect, test } from 'vitest'
import { parseTransform, renderUrl } from '../src/index.ts'

test('renderUrl builds canonical public render URLs', () => {
  const base = 'https://files.example-usercontent.com/'
  expect(renderUrl(base, 'avatars', 'u/42 me.jpg', { h: 100, w: 100, dpr: 2 })).toBe(
    'https://files.example-usercontent.com/render/avatars/u/42%20me.jpg?w=200&h=200',
  )
  expect(renderUrl(base, 'avatars', 'a.png', { variant: 'thumb', v: '"abc"' })).toBe(
    'https://files.example-usercontent.com/render/avatars/a.png?variant=thumb&v=%22abc%22',
  )
  expect(renderUrl(base, 'docs', 'a.png')).toBe('https://files.example-usercontent.com/render/docs/a.png')
  // What it writes, the service reads back to the same transform.
  const url = new URL(
    renderUrl(base, 'docs', 'a.png', 'w=300,fit=contain,h=100,position=top,format=webp,q=70'),
  )
  expect(parseTransform(url.searchParams)).toEqual(
    parseTransform('w=300,h=100,fit=contain,position=north,format=webp,q=70'),
  )
  expect(() => renderUrl(base, 'docs', 'a.png', { w: 0 })).toThrow(/w must be/)
})
