import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Every TypeScript source file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => join(dir, file))
}

/** The module specifiers a file imports or re-exports (static and dynamic). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specifiers = text.matchAll(
    /(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
  )
  return [...specifiers].map((m) => (m[1] ?? m[2]) as string)
}

/**
 * The server's layers, each with the layers it may import. A folder's files may import each other;
 * anything not listed is refused, so a new folder must be placed here (and in docs/architecture.md).
 */
const SERVER_LAYERS: Record<string, readonly string[]> = {
  '.': ['service', 'app', 'routes', 'jobs', 's3', 'http', 'domain', 'catalog', 'db', 'config', 'support'],
  service: ['app', 'http', 'domain', 'catalog', 'db', 'config', 'support'],
  app: ['routes', 'jobs', 's3', 'http', 'domain', 'catalog', 'db', 'config', 'support'],
  routes: ['http', 'domain', 'config', 'support'],
  jobs: ['http', 'domain', 'config', 'support'],
  s3: ['http', 'domain', 'config', 'support'],
  http: ['domain', 'config', 'support'],
  domain: ['catalog', 'db', 'config', 'support'],
  catalog: ['db', 'config', 'support'],
  support: ['db'],
  db: [],
  config: [],
}

/** The layer of a server source file: its first folder under src, or `.` for the entry points. */
function layerOf(file: string, src: string): string {
  const parts = relative(src, file).split(sep)
  return parts.length === 1 ? '.' : (parts[0] as string)
}

/** Which workspace packages each package may import. */
const PACKAGE_DEPENDENCIES: Record<string, readonly string[]> = {
  core: [],
  'driver-s3': ['core'],
  images: ['core'],
  exports: ['core'],
  client: ['core', 'images'],
  server: ['core', 'driver-s3', 'images', 'exports', 'client'],
  cli: ['core', 'driver-s3', 'server', 'client'],
  web: ['client'],
}

describe('architecture', () => {
  it("imports only go down the server's layers", () => {
    const src = join(packages, 'server', 'src')
    const wrong: string[] = []
    for (const file of sources(src)) {
      const from = layerOf(file, src)
      const allowed = SERVER_LAYERS[from]
      if (allowed === undefined) {
        wrong.push(`${relative(src, file)}: its folder is no known layer`)
        continue
      }
      for (const specifier of importsOf(file).filter((s) => s.startsWith('.'))) {
        const target = resolve(dirname(file), specifier)
        if (!target.startsWith(src + sep)) {
          wrong.push(`${relative(src, file)} imports ${specifier}, outside the package's sources`)
          continue
        }
        const to = layerOf(target, src)
        if (to !== from && !allowed.includes(to))
          wrong.push(`${relative(src, file)} (${from}) imports ${to}: ${specifier}`)
      }
    }
    expect(wrong).toEqual([])
  })

  it('packages import only the packages below them, and core no HTTP, database or driver package', () => {
    const wrong: string[] = []
    for (const name of readdirSync(packages)) {
      const allowed = PACKAGE_DEPENDENCIES[name]
      if (allowed === undefined) {
        wrong.push(`packages/${name}: no known place in the layers`)
        continue
      }
      for (const file of sources(join(packages, name, 'src'))) {
        for (const specifier of importsOf(file)) {
          const coffer = /^@coffer\/([^/]+)/.exec(specifier)?.[1]
          if (coffer !== undefined && coffer !== name && !allowed.includes(coffer))
            wrong.push(`${relative(packages, file)} imports ${specifier}`)
          if (
            name === 'core' &&
            /^(node:)?(http|https|http2|net|tls)$|^(fastify|kysely|pg)\b/.test(specifier)
          )
            wrong.push(`${relative(packages, file)} imports ${specifier}: core knows no HTTP or database`)
        }
      }
    }
    expect(wrong).toEqual([])
  })

  it('finds a wrong import when one is there', () => {
    // The checks above pass on an empty import list too: prove the scanner sees real imports.
    const file = join(packages, 'server', 'src', 'routes', 'object-routes.ts')
    expect(importsOf(file).some((s) => s.includes('/http/'))).toBe(true)
    expect(layerOf(file, join(packages, 'server', 'src'))).toBe('routes')
  })
})
