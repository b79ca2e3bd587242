import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const sourceDir = join(packageDir, 'src')

/** What the core must never import: HTTP and sockets (the server's), and any other Coffer package. */
const FORBIDDEN = [
  /^node:(http|https|http2|net|tls|dgram)$/,
  /^(http|https|http2|net|tls)$/,
  /^@coffer\//,
  /^fastify/,
]

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name))
}

/** Every module specifier of a file: static imports and re-exports, `import()` and `require()`. */
function specifiers(code: string): string[] {
  const found: string[] = []
  const patterns = [
    /\bfrom\s+['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]/g,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
  ]
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.push(match[1] as string)
  return found
}

describe('the core layer', () => {
  it('imports no HTTP, no socket, no other Coffer package, nothing outside its own sources', async () => {
    const breaches: string[] = []
    for (const file of await sources(sourceDir)) {
      const code = await readFile(file, 'utf8')
      const name = relative(packageDir, file)
      for (const specifier of specifiers(code)) {
        const outside =
          specifier.startsWith('.') && relative(sourceDir, resolve(dirname(file), specifier)).startsWith('..')
        if (outside || FORBIDDEN.some((pattern) => pattern.test(specifier)))
          breaches.push(`${name} → ${specifier}`)
      }
      // Not even a string, such as a dynamic import's computed name: core names no driver package.
      if (code.includes('@coffer/driver-s3') || code.includes('@coffer/server'))
        breaches.push(`${name} names a package`)
    }
    expect(breaches).toEqual([])
  })

  it('depends on no other Coffer package', async () => {
    const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >
    const declared = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) =>
      Object.keys((manifest[field] as Record<string, string> | undefined) ?? {}),
    )
    expect(declared.filter((name) => name.startsWith('@coffer/'))).toEqual([])
  })

  it('is what the scan reads: a file that breaks the rule is caught', () => {
    expect(
      specifiers("import { createServer } from 'node:http'\nconst s3 = await import('@coffer/driver-s3')"),
    ).toEqual(['node:http', '@coffer/driver-s3'])
  })
})
