/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, e.g. from `npm run bench -- --profile`): self time
 * by package (a dependency, Node's internals, or Coffer's own code), the functions with the most
 * self time, and those with the most total time (self and callees). Shares are of the busy time: the
 * idle samples (the process waiting for I/O, or for the bench to turn to it) are left out.
 * Usage: node bench/profile-summary.mjs FILE.cpuprofile|DIR [--top 25]
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
  const idle = [...byId.values()].find((n) => n.callFrame.functionName === '(idle)')
  if (idle) self.delete(idle.id)
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const nameOf = ({ functionName, url, lineNumber }) => {
    const short = url.replace(/^file:\/\/.*?(node_modules|packages)\//, '$1/')
    return `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim()
  }
  const fns = new Map()
  const pkgs = new Map()
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id)
    fns.set(nameOf(callFrame), (fns.get(nameOf(callFrame)) ?? 0) + us)
    pkgs.set(origin(callFrame.url), (pkgs.get(origin(callFrame.url)) ?? 0) + us)
  }
  // Total time: each node's self time, added once to every distinct function on its stack.
  const parent = new Map()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const inclusive = new Map()
  for (const [id, us] of self) {
    const seen = new Set()
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const name = nameOf(byId.get(at).callFrame)
      if (seen.has(name)) continue
      seen.add(name)
      inclusive.set(name, (inclusive.get(name) ?? 0) + us)
    }
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1)}%`.padStart(6)
  const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n)
  console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s busy`)
  console.log('\nself time by origin:')
  for (const [name, us] of top(pkgs, 15)) console.log(`${pct(us)}  ${name}`)
  console.log('\nfunctions by self time:')
  for (const [name, us] of top(fns, Number(values.top))) console.log(`${pct(us)}  ${name}`)
  console.log('\nfunctions by total time:')
  for (const [name, us] of top(inclusive, Number(values.top))) console.log(`${pct(us)}  ${name}`)
}
