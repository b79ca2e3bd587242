import { expect, it } from 'vitest'
import { bundleForBrowsers, source } from './browser-bundle.ts'

it('bundles for browsers without a single Node built-in', async () => {
  const { asked, code } = await bundleForBrowsers(source('../src/index.ts'))
  expect(asked).toEqual([])
  // tus-js-client's browser build (XMLHttpRequest), not its Node one (http, fs).
  expect(code).toContain('XMLHttpRequest')
  expect(code).toContain('CofferClient')
  // The response types come from the schemas by type-only imports: no schema code is shipped.
  expect(code).not.toMatch(/node_modules\/typebox|schemas\/[a-z-]+\.ts/)
  expect(code).toContain('packages/client/src/coffer-client.ts')
})

it('sees a Node built-in when one is imported', async () => {
  const { asked } = await bundleForBrowsers(source('../../images/src/transform-digest.ts'))
  expect(asked).toEqual(['node:crypto'])
})
