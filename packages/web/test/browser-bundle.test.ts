import { expect, it } from 'vitest'
import { bundleForBrowsers, source } from '../../client/test/browser-bundle.ts'

it("bundles the UI, on @coffer/client, without a Node built-in, sharp or the client's schemas", async () => {
  const { asked, code } = await bundleForBrowsers(source('../../web/src/main.tsx'), {
    '@coffer/client': source('../src/index.ts'),
  })
  expect(asked).toEqual([])
  expect(code).toContain('packages/client/src/coffer-client.ts')
  // tus-js-client's browser build (XMLHttpRequest, Blob sources), not its Node one (http, fs).
  expect(code).toContain('node_modules/tus-js-client/lib.esm/browser/')
  expect(code).not.toMatch(/node_modules\/sharp|node_modules\/typebox|schemas\/[a-z-]+\.ts/)
})
