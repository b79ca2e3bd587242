/**
 * Coffer beside its peers, on this machine, in one run (issue #8): nginx (sendfile GET, WebDAV PUT),
 * Ceph RGW (memstore) and s3rver reached with SigV4, Coffer on the fs driver and on the S3 driver in
 * front of Ceph. Every peer is started here and stopped at the end; every measurement is a separate
 * load-generator process (autocannon, or an undici / AWS SDK stream client); targets alternate
 * A B A B … over the rounds and medians are reported. Prints Markdown tables and writes
 * bench/results/bench-<time>.json.
 * Usage: npm run bench [-- --quick] [--rounds N] [--only P1,P3] [--profile] [--server PATH] [--baseline PATH]
 *   --profile: the Coffer processes run with --cpu-prof; profiles go to bench/results/profile-<time>/
 *   (summarise them with `node bench/profile-summary.mjs DIR`).
 *   --server: another build of the service's main.js to measure instead of this repository's.
 *   --baseline: a second build's main.js (e.g. a checkout before a change), run as `Coffer/fs@baseline`
 *   beside Coffer/fs in P1–P4 and P7, alternating with it, for before/after ratios in one run.
 */
import { mkdirSync, mkdtempSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { CASES, type CaseResult, type Peers, type RunContext, type Settings } from './cases.ts'
import { startCoffer } from './peers/coffer.ts'
import { startNginx } from './peers/nginx.ts'
import { startNodeFileServer } from './peers/node.ts'
import { startS3Peer } from './peers/s3-peer.ts'
import type { Peer } from './peers/target.ts'
import { checkGoals, markdown } from './report.ts'

const MiB = 1024 * 1024
const FULL: Settings = {
  quick: false,
  rounds: 5,
  largeBytes: 1024 * MiB,
  s3Bytes: 256 * MiB,
  rssLargeBytes: 5120 * MiB,
  rssUploads: 50,
  rssUploadBytes: 100 * MiB,
  rateSeconds: 10,
  warmSeconds: 2,
  smallObjects: 256,
}
const QUICK: Settings = {
  ...FULL,
  quick: true,
  rounds: 3,
  largeBytes: 256 * MiB,
  s3Bytes: 128 * MiB,
  rssLargeBytes: 1024 * MiB,
  rssUploadBytes: 20 * MiB,
  rateSeconds: 1,
  warmSeconds: 0.5,
}

/** The peers each case needs, so that `--only` starts no more than it uses. */
const NEEDS: Record<string, (keyof Peers)[]> = {
  P1: ['nginx', 'node', 'cofferFs'],
  P2: ['nginx', 'node', 'cofferFs'],
  P3: ['nginx', 'node', 'cofferFs', 's3rver', 'ceph'],
  P4: ['nginx', 'node', 'cofferFs', 's3rver', 'ceph'],
  P5: ['ceph', 'cofferS3'],
  P6: [],
  P7: ['nginx', 'cofferFs', 'ceph'],
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    server: { type: 'string' },
    baseline: { type: 'string' },
  },
})
const settings: Settings = { ...(values.quick ? QUICK : FULL) }
if (values.rounds !== undefined) settings.rounds = Math.max(1, Math.min(50, Number(values.rounds) || 1))
const only = values.only?.toUpperCase().split(',') ?? Object.keys(CASES)
const selected = Object.keys(CASES).filter((id) => only.includes(id))
if (selected.length === 0) throw new Error(`--only: no case among ${Object.keys(CASES).join(', ')}`)

const stamp = new Date().toISOString().replace(/[:.]/g, '-')
const resultsDir = new URL('./results/', import.meta.url).pathname
mkdirSync(resultsDir, { recursive: true })
const cpuProfDir = values.profile ? join(resultsDir, `profile-${stamp}`) : undefined
const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-'))
const log = (line: string) => process.stderr.write(`${line}\n`)
const started: Peer[] = []

async function startPeers(): Promise<Peers> {
  const needed = new Set(selected.flatMap((id) => NEEDS[id] ?? []))
  const prof = {
    ...(cpuProfDir === undefined ? {} : { cpuProfDir }),
    ...(values.server === undefined ? {} : { main: resolve(values.server) }),
  }
  const peers: Partial<Peers> = {}
  const start = async <K extends keyof Peers>(name: K, make: () => Promise<NonNullable<Peers[K]>>) => {
    if (name !== 'baseline' && !needed.has(name)) return
    const peer = await make()
    started.push(peer)
    peers[name] = peer
    log(`started ${peer.name}`)
  }
  const results = await Promise.allSettled([
    start('nginx', startNginx),
    start('node', startNodeFileServer),
    start('ceph', () => startS3Peer('ceph')),
    start('s3rver', () => startS3Peer('s3rver')),
    start('cofferFs', () => startCoffer({ driver: 'fs', ...prof })),
    ...(values.baseline === undefined || !needed.has('cofferFs')
      ? []
      : [
          start('baseline', () =>
            startCoffer({
              driver: 'fs',
              main: resolve(values.baseline as string),
              name: 'Coffer/fs@baseline',
            }),
          ),
        ]),
  ])
  const failed = results.find((r) => r.status === 'rejected')
  if (failed) throw (failed as PromiseRejectedResult).reason
  const { ceph } = peers
  if (ceph) {
    const s3 = { server: ceph.server, bucket: ceph.bucket }
    await start('cofferS3', () => startCoffer({ driver: 's3', s3, ...prof }))
  }
  return peers as Peers
}

async function stopAll(): Promise<void> {
  await Promise.allSettled(started.splice(0).map((p) => p.stop()))
  await rm(dir, { recursive: true, force: true })
}

process.once('SIGINT', () => {
  log('interrupted: stopping the peers')
  void stopAll().finally(() => process.exit(130))
})

const t0 = performance.now()
try {
  const peers = await startPeers()
  const ctx: RunContext = {
    settings,
    peers,
    dir,
    log,
    ...(cpuProfDir === undefined ? {} : { cpuProfDir }),
    ...(values.server === undefined ? {} : { main: resolve(values.server) }),
  }
  const results: CaseResult[] = []
  for (const id of selected) results.push(...((await CASES[id]?.(ctx)) ?? []))
  const order = Object.keys(NEEDS)
  results.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id))
  const goals = checkGoals(results)
  const seconds = Math.round((performance.now() - t0) / 1000)
  const file = join(resultsDir, `bench-${stamp}.json`)
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, loadavg: loadavg(), node: process.version }
  await writeFile(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), seconds, settings, machine, results, goals }, null, 2)}\n`,
  )
  console.log(markdown(results, goals, settings.rounds))
  const mode = settings.quick ? 'npm run bench -- --quick' : 'npm run bench'
  console.log(
    `\n\`${mode}\`, ${seconds} s, Node ${process.version}, ${machine.cpus} cores; results in ${file}`,
  )
} finally {
  await stopAll()
}
