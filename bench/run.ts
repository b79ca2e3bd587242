/**
 * Coffer beside its peers, on this machine, in one run (issues #8, #17): nginx (sendfile GET, WebDAV
 * PUT), Ceph RGW (memstore) and s3rver reached with SigV4, bare Node servers (files; 4 KiB from
 * memory, the ceiling), Coffer on the fs driver and on the S3 driver in front of Ceph. Every peer is
 * started here, pinned to core 0 with all its processes and threads, and stopped at the end; every
 * measurement is a separate load-generator process on core 1 (wrk for request rates, an undici /
 * AWS SDK stream client for large bodies) whose CPU is reported beside its figure: above 90% of its
 * core, the figure is marked invalid. Targets alternate A B A B … over the rounds and medians are
 * reported. Prints Markdown tables and writes bench/results/bench-<time>.json.
 * Usage: npm run bench [-- --quick] [--rounds N] [--only P1,P3,R] [--profile] [--server PATH] [--baseline PATH]
 *   [--client wrk|autocannon] [--client-cpu-limit PERCENT] [--without s3rver,ceph]
 *   R: the image render cases (bench/render.ts, also `npm run bench:render`), run last.
 *   --client: the request-rate load generator (default wrk; autocannon shows where it is the limit).
 *   --without: peers not to start (nginx, node, nodeFsync, ceiling, s3rver, ceph, s3api: Coffer's S3
 *   endpoint);
 *   P3, P4 and P7 then run without them (P5 needs ceph).
 *   --client-cpu-limit: above this share of its core a client's run is invalid (default 90; a low
 *   value checks the marking itself).
 *   --profile: the Coffer processes run with --cpu-prof; profiles go to bench/results/profile-<time>/
 *   (summarise them with `node bench/profile-summary.mjs DIR`).
 *   --server: another build of the service's main.js to measure instead of this repository's.
 *   --baseline: a second build's main.js (e.g. a checkout before a change), run as `Coffer/fs@baseline`
 *   beside Coffer/fs in P1–P4 and P7, alternating with it, for before/after ratios in one run.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { CASES, type CaseResult, type Peers, type RunContext, type Settings } from './cases.ts'
import { CLIENT_CORE, CLIENT_CPU_LIMIT, ensureWrk, pinning } from './clients.ts'
import { startCoffer } from './peers/coffer.ts'
import { startNginx } from './peers/nginx.ts'
import { startNodeCeiling, startNodeFileServer, startNodeFsyncServer } from './peers/node.ts'
import { descendants, pinServers } from './peers/pin.ts'
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
  client: 'wrk',
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
  P3: ['nginx', 'ceiling', 'node', 'cofferFs', 's3rver', 'ceph'],
  P4: ['nginx', 'node', 'nodeFsync', 'cofferFs', 's3rver', 'ceph'],
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
    client: { type: 'string', default: 'wrk' },
    'client-cpu-limit': { type: 'string', default: String(CLIENT_CPU_LIMIT) },
    without: { type: 'string', default: '' },
  },
})
const settings: Settings = { ...(values.quick ? QUICK : FULL) }
if (values.client !== 'wrk' && values.client !== 'autocannon') throw new Error('--client: wrk or autocannon')
settings.client = values.client
const cpuLimit = Number(values['client-cpu-limit'])
if (!(cpuLimit > 0)) throw new Error('--client-cpu-limit: a percentage above 0')
if (values.rounds !== undefined) settings.rounds = Math.max(1, Math.min(50, Number(values.rounds) || 1))
/** `--only R`: the image render cases of `bench/render.ts`. */
const RENDERS = 'R'
const only = values.only?.toUpperCase().split(',') ?? [...Object.keys(CASES), RENDERS]
const selected = Object.keys(CASES).filter((id) => only.includes(id))
if (selected.length === 0 && !only.includes(RENDERS))
  throw new Error(`--only: no case among ${Object.keys(CASES).join(', ')}`)

const stamp = new Date().toISOString().replace(/[:.]/g, '-')
const resultsDir = new URL('./results/', import.meta.url).pathname
mkdirSync(resultsDir, { recursive: true })
const cpuProfDir = values.profile ? join(resultsDir, `profile-${stamp}`) : undefined
const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-'))
const log = (line: string) => process.stderr.write(`${line}\n`)
const started: Peer[] = []

async function startPeers(): Promise<Peers> {
  const without = new Set(values.without.split(',').filter(Boolean))
  const needed = new Set(selected.flatMap((id) => NEEDS[id] ?? []).filter((name) => !without.has(name)))
  const prof = {
    ...(cpuProfDir === undefined ? {} : { cpuProfDir }),
    ...(values.server === undefined ? {} : { main: resolve(values.server) }),
  }
  const peers: Partial<Peers> = {}
  const start = async <K extends Exclude<keyof Peers, 'cofferS3Api'>>(
    name: K,
    make: () => Promise<NonNullable<Peers[K]>>,
  ) => {
    if (name !== 'baseline' && !needed.has(name)) return
    const peer = await make()
    started.push(peer)
    peers[name] = peer
    log(`started ${peer.name}`)
  }
  const results = await Promise.allSettled([
    start('nginx', startNginx),
    start('node', startNodeFileServer),
    start('nodeFsync', startNodeFsyncServer),
    start('ceiling', startNodeCeiling),
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
  // The same Coffer/fs process through its S3 endpoint: a target, not another server.
  const fs = peers.cofferFs as Awaited<ReturnType<typeof startCoffer>> | undefined
  if (fs !== undefined && !without.has('s3api')) peers.cofferS3Api = fs.s3Api
  const { ceph } = peers
  if (ceph) {
    const s3 = { server: ceph.server, bucket: ceph.bucket }
    await start('cofferS3', () => startCoffer({ driver: 's3', s3, ...prof }))
  }
  // Every process below this one is a server now (no client runs yet): all of them on core 0.
  if (pinning) log(`pinned ${await pinServers(await descendants(process.pid))} server processes to core 0`)
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
if (settings.client === 'wrk' && selected.some((id) => ['P3', 'P4', 'P7'].includes(id))) ensureWrk()
if (selected.length > 0) {
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
    const goals = checkGoals(results, cpuLimit)
    const seconds = Math.round((performance.now() - t0) / 1000)
    const file = join(resultsDir, `bench-${stamp}.json`)
    const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, loadavg: loadavg(), node: process.version }
    await writeFile(
      file,
      `${JSON.stringify({ date: new Date().toISOString(), seconds, settings, clientCpuLimit: cpuLimit, machine, results, goals }, null, 2)}\n`,
    )
    console.log(markdown(results, goals, settings.rounds, cpuLimit))
    const mode = settings.quick ? 'npm run bench -- --quick' : 'npm run bench'
    const pinned = pinning ? `servers on core 0, clients on core ${CLIENT_CORE}` : 'nothing pinned (one core)'
    console.log(
      `\n\`${mode}\`, ${seconds} s, Node ${process.version}, ${machine.cpus} cores, ${pinned}, load average ${machine.loadavg.map((l) => l.toFixed(1)).join(' ')} at the end; results in ${file}`,
    )
  } finally {
    await stopAll()
  }
}

// The render cases (issue #19) need no peer and are not pinned like the rest: a process of their own,
// after every peer has stopped, so that they run on a machine as quiet as the others did.
if (only.includes(RENDERS)) {
  const script = new URL('./render.ts', import.meta.url).pathname
  const renders = settings.quick ? ['--renders', '12'] : []
  const run = spawnSync(process.execPath, [script, ...renders], { stdio: 'inherit' })
  if (run.status !== 0) process.exitCode = run.status ?? 1
}
