import { builtinModules } from 'node:module'
import { fileURLToPath } from 'node:url'
import { rolldown } from 'rolldown'
import { expect, it } from 'vitest'

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const entry = source('../src/index.ts')
const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)])

/** Bundles `input` for browsers; the Node built-ins its graph imports, and the code. */
async function bundleForBrowsers(input: string): Promise<{ asked: string[]; code: string }> {
  const asked: string[] = []
  const bundle = await rolldown({
    input,
    platform: 'browser',
    // The workspace's sources, as a bundler of the web UI would see them (no build output needed).
    resolve: {
      alias: {
        '@coffer/core/errors': source('../../core/src/errors.ts'),
        '@coffer/images/render-url': source('../../images/src/render-url.ts'),
      },
    },
    // Any import of a Node built-in, however deep in the graph, is recorded (and left out).
    plugins: [
      {
        name: 'refuse-node-builtins',
        resolveId(source) {
          if (NODE_BUILTINS.has(source)) {
            asked.push(source)
            return { id: source, external: true }
          }
          return null
        },
      },
    ],
  })
  const { output } = await bundle.generate({ format: 'esm' })
  await bundle.close()
  return { asked, code: output.map((chunk) => ('code' in chunk ? chunk.code : '')).join('\n') }
}

it('bundles for browsers without a single Node built-in', async () => {
  const { asked, code } = await bundleForBrowsers(entry)
  expect(asked).toEqual([])
  // tus-js-client's browser build (XMLHttpRequest), not its Node one (http, fs).
  expect(code).toContain('XMLHttpRequest')
  expect(code).toContain('CofferClient')
})

it('sees a Node built-in when one is imported', async () => {
  const { asked } = await bundleForBrowsers(source('../../images/src/transform-digest.ts'))
  expect(asked).toEqual(['node:crypto'])
})
