import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))

/** The Markdown a newcomer reads: the README, docs/, and each package's and example's README. */
function documents(): string[] {
  const inFolder = (folder: string, pick: (name: string) => string | undefined) =>
    existsSync(join(root, folder))
      ? readdirSync(join(root, folder))
          .map(pick)
          .filter((path): path is string => path !== undefined && existsSync(join(root, path)))
      : []
  return [
    'README.md',
    ...inFolder('docs', (name) => (name.endsWith('.md') ? `docs/${name}` : undefined)),
    ...inFolder('packages', (name) => `packages/${name}/README.md`),
    ...inFolder('examples', (name) => `examples/${name}/README.md`),
  ]
}

/** Lines outside fenced code blocks, where a `#` is a heading and a `](…)` a link. */
function prose(text: string): string[] {
  let fenced = false
  return text.split('\n').filter((line) => {
    if (line.startsWith('```')) fenced = !fenced
    return !fenced && !line.startsWith('```')
  })
}

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces as `-`, repeats numbered. */
function anchors(path: string): Set<string> {
  const seen = new Map<string, number>()
  const result = new Set<string>()
  for (const line of prose(readFileSync(path, 'utf8'))) {
    const heading = /^#{1,6} (.+)$/.exec(line)?.[1]
    if (heading === undefined) continue
    const slug = heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    result.add(count === 0 ? slug : `${slug}-${count}`)
  }
  return result
}

describe('the documentation', () => {
  it('links only to files that exist, and to headings they have', () => {
    const broken: string[] = []
    for (const document of documents()) {
      const path = join(root, document)
      for (const line of prose(readFileSync(path, 'utf8'))) {
        for (const [, link] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
          if (link === undefined || /^[a-z]+:/.test(link)) continue
          const [file = '', anchor] = link.split('#')
          const target = file === '' ? path : join(dirname(path), file)
          if (!existsSync(target)) broken.push(`${document}: ${link} (no such file)`)
          else if (anchor !== undefined && target.endsWith('.md') && !anchors(target).has(anchor))
            broken.push(`${document}: ${link} (no such heading in ${relative(root, target)})`)
        }
      }
    }
    expect(broken).toEqual([])
  })

  it("states the Node.js version package.json's engines require, in the Quick start", () => {
    const engines = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }
    ).engines.node
    const least = /^>=\s*(\d+(?:\.\d+)*)$/.exec(engines)?.[1]
    expect(least, engines).toBeDefined()
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const quickStart = readme.slice(readme.indexOf('## Quick start'))
    expect(quickStart).toContain(`Node.js ${least} or later`)
  })
})
