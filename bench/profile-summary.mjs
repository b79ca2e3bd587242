/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, e.g. from `npm run bench -- --profile`): the
 * functions with the most self time, and self time by package (a dependency, Node's internals, or
 * Coffer's own code). Usage: node bench/profile-summary.mjs FILE.cpuprofile|DIR [--top 25]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
})
const files = positionals.flatMap((p) =>
  statSync(p).isDirectory()
    ? readdirSync(p)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(p, f))
    : [p],
)
if (files.length === 0) throw new Error('usage: node bench/profile-summary.mjs FILE.cpuprofile|DIR')

/** Where a function comes from: a package name, `node:…`, `coffer/<package>`, or `(v8)`. */
function origin(url) {
  if (url === '') return '(v8)'
  if (url.startsWith('node:')) return 'node (internal)'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg) return pkg[1]
  const own = /packages\/([^/]+)\//.exec(url)
  return own ? `coffer/${own[1]}` : url
}

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map()
  for (const [i, id] of profile.samples.entries()) {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const fns = new Map()
  const pkgs = new Map()
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame
    const short = url.replace(/^file:\/\/.*?(node_modules|packages)\//, '$1/')
    const name = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim()
    fns.set(name, (fns.get(name) ?? 0) + us)
    pkgs.set(origin(url), (pkgs.get(origin(url)) ?? 0) + us)
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1)}%`.padStart(6)
  const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n)
  console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s sampled`)
  console.log('\nself time by origin:')
  for (const [name, us] of top(pkgs, 15)) console.log(`${pct(us)}  ${name}`)
  console.log('\nfunctions by self time:')
  for (const [name, us] of top(fns, Number(values.top))) console.log(`${pct(us)}  ${name}`)
}
