import { builtinModules } from 'node:module'
import { fileURLToPath } from 'node:url'
import { rolldown } from 'rolldown'

/** A path beside this file. */
export const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)])

/**
 * Bundles `input` for browsers as a web app's bundler would (rolldown, platform browser, the
 * workspace's sources); the Node built-ins its graph imports (left out, and recorded), and the code.
 * `alias` adds more of the workspace's sources (`@coffer/client` for an app that imports it).
 */
export async function bundleForBrowsers(
  input: string,
  alias: Record<string, string> = {},
): Promise<{ asked: string[]; code: string }> {
  const asked: string[] = []
  const bundle = await rolldown({
    input,
    platform: 'browser',
    resolve: {
      alias: {
        '@coffer/core/errors': source('../../core/src/errors.ts'),
        '@coffer/images/render-url': source('../../images/src/render-url.ts'),
        ...alias,
      },
    },
    plugins: [
      {
        name: 'refuse-node-builtins',
        resolveId(specifier) {
          if (!NODE_BUILTINS.has(specifier)) return null
          asked.push(specifier)
          return { id: specifier, external: true }
        },
        // A stylesheet is the app bundler's to handle, and holds no script: it bundles as nothing.
        load: (id) => (id.endsWith('.css') ? { code: '', moduleType: 'js' } : null),
      },
    ],
  })
  const { output } = await bundle.generate({ format: 'esm' })
  await bundle.close()
  return { asked, code: output.map((chunk) => ('code' in chunk ? chunk.code : '')).join('\n') }
}
