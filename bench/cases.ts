/** The cases of issue #8 (P1–P7): each runs its targets alternately, round after round. */
import { median, rateClient, streamClient } from './clients.ts'
import { startCoffer } from './peers/coffer.ts'
import { pinServers } from './peers/pin.ts'
import { peakRssMiB } from './peers/processes.ts'
import type { S3Peer } from './peers/s3-peer.ts'
import type { Peer, Target } from './peers/target.ts'

const MiB = 1024 * 1024

/** Sizes and durations: full, or `--quick` (smaller, shorter, fewer rounds). */
export interface Settings {
  quick: boolean
  rounds: number
  /** P1, P2. */
  largeBytes: number
  /** P5. */
  s3Bytes: number
  /** P6: one upload and download of this size, then this many concurrent uploads of that size. */
  rssLargeBytes: number
  rssUploads: number
  rssUploadBytes: number
  /** P3, P4, P7: each measured run, and one unmeasured warm-up run per target first. */
  rateSeconds: number
  warmSeconds: number
  /** P3, P7: GETs walk over this many 4 KiB objects; P4 PUTs over 4× as many keys. */
  smallObjects: number
  /** P3, P4, P7's load generator: wrk, or autocannon (to see where it is the limit). */
  client: 'wrk' | 'autocannon'
}

export interface Peers {
  nginx: Peer
  /** A bare Node file server: what Node itself reaches here (P1–P4, for reference). */
  node: Peer
  /** The same, syncing as Coffer does before it answers a PUT (P4, for reference). */
  nodeFsync?: Peer
  /** Node's `http` answering 4 KiB from memory: the most a Node server can reach (P3). */
  ceiling: Peer
  cofferFs: Peer
  /** Coffer/fs through its S3 endpoint (issue #18), unless `--without s3api`. */
  cofferS3Api?: Target
  cofferS3: Peer
  ceph: S3Peer
  s3rver: S3Peer
  /** Another build of Coffer on the fs driver (`--baseline`), measured beside the current one. */
  baseline?: Peer
}

/** Coffer/fs, its S3 endpoint and the baseline build, those that run. */
function coffers(peers: Peers): Target[] {
  return [peers.cofferFs, peers.cofferS3Api, peers.baseline].filter((t): t is Target => t !== undefined)
}

export interface RunContext {
  settings: Settings
  peers: Peers
  /** A temp directory for job files. */
  dir: string
  /** Where the Coffer processes of P6 write CPU profiles, when profiling. */
  cpuProfDir?: string
  /** The service build P6 starts (see `startCoffer`). */
  main?: string
  log(line: string): void
}

/**
 * A measured value per round, by metric (`MiBps`, `rps`, `p50`, …); `clientCpu` is the load
 * generator's share of its core (%) in that round.
 */
export type Sample = Record<string, number>

export interface CaseResult {
  id: string
  title: string
  /** The metric the medians and the targets use, and its unit. */
  metric: string
  unit: string
  series: { target: string; samples: Sample[]; median: Sample }[]
}

interface Measurer {
  name: string
  measure(): Promise<Sample>
}

const SMALL_BYTES = 4096
const smallKey = (i: number) => `small/${String(i).padStart(5, '0')}.bin`
const putKey = (i: number) => `put/${String(i).padStart(5, '0')}.bin`
const LARGE_KEY = 'large/object.bin'

/**
 * Runs the measurers in turn, `rounds` times, and takes each metric's median. Each round starts one
 * further along (A B C, B C A, C A B, …), so that no target always follows the same one: a peer's
 * after-effects (Ceph's garbage collection after overwrites, dirty pages being written back) would
 * otherwise always land on the same next target.
 */
async function alternate(ctx: RunContext, id: string, measurers: Measurer[]): Promise<CaseResult['series']> {
  const samples = new Map<string, Sample[]>(measurers.map((m) => [m.name, []]))
  for (let round = 1; round <= ctx.settings.rounds; round++) {
    const shift = (round - 1) % measurers.length
    for (const m of [...measurers.slice(shift), ...measurers.slice(0, shift)]) {
      const sample = await m.measure()
      samples.get(m.name)?.push(sample)
      ctx.log(`${id} round ${round} ${m.name}: ${JSON.stringify(sample)}`)
    }
  }
  return measurers.map(({ name }) => {
    const list = samples.get(name) ?? []
    const metrics = Object.keys(list[0] ?? {})
    return {
      target: name,
      samples: list,
      median: Object.fromEntries(metrics.map((k) => [k, median(list.map((s) => s[k] ?? Number.NaN))])),
    }
  })
}

/** Targets that hold the large object (P2 writes it; P1 writes it first only when P2 did not run). */
const holdsLarge = new WeakSet<Target>()

async function putLarge(target: Target, size: number): Promise<Sample> {
  const spec = await target.put(LARGE_KEY)
  const { MiBps, clientCpu } = await streamClient({ mode: 'put', ...spec, size })
  holdsLarge.add(target)
  return { MiBps, clientCpu }
}

export async function p2(ctx: RunContext): Promise<CaseResult[]> {
  const size = ctx.settings.largeBytes
  const series = await alternate(
    ctx,
    'P2',
    present(ctx, ctx.peers.nginx, ctx.peers.node).map((t) => ({
      name: t.name,
      measure: () => putLarge(t, size),
    })),
  )
  return [
    { id: 'P2', title: `PUT one ${size / MiB} MiB object, 1 stream`, metric: 'MiBps', unit: 'MiB/s', series },
  ]
}

export async function p1(ctx: RunContext): Promise<CaseResult[]> {
  const size = ctx.settings.largeBytes
  const targets = present(ctx, ctx.peers.nginx, ctx.peers.node)
  for (const t of targets) if (!holdsLarge.has(t)) await putLarge(t, size)
  const measurers = targets.map((t) => ({
    name: t.name,
    async measure() {
      const { MiBps, bytes, clientCpu } = await streamClient({ mode: 'get', ...(await t.get(LARGE_KEY)) })
      if (bytes !== size) throw new Error(`${t.name}: GET gave ${bytes} of ${size} bytes`)
      return { MiBps, clientCpu }
    },
  }))
  const series = await alternate(ctx, 'P1', measurers)
  return [
    { id: 'P1', title: `GET one ${size / MiB} MiB object, 1 stream`, metric: 'MiBps', unit: 'MiB/s', series },
  ]
}

/** Targets that hold the small objects of P3 and P7. */
const holdsSmall = new WeakSet<Target>()

/** Uploads the 4 KiB objects, 16 at a time (not measured). */
async function preloadSmall(ctx: RunContext, target: Target): Promise<void> {
  if (holdsSmall.has(target) || target.getsOnly) return
  const body = new Uint8Array(SMALL_BYTES).map((_, i) => (i * 31) % 251)
  const keys = Array.from({ length: ctx.settings.smallObjects }, (_, i) => smallKey(i))
  for (let i = 0; i < keys.length; i += 16) {
    await Promise.all(
      keys.slice(i, i + 16).map(async (key) => {
        const spec = await target.put(key)
        const headers = { ...spec.headers, 'content-type': 'application/octet-stream' }
        const res = await fetch(spec.url, { method: 'PUT', headers, body })
        await res.arrayBuffer()
        if (!res.ok) throw new Error(`${target.name}: preloading ${key} answered ${res.status}`)
      }),
    )
  }
  holdsSmall.add(target)
}

/** Coffer's targets, then the given peers that run (`--without` leaves some out). */
function present(ctx: RunContext, ...peers: (Peer | undefined)[]): Target[] {
  return [...coffers(ctx.peers), ...peers.filter((p): p is Peer => p !== undefined)]
}

/** A request-rate case: a warm-up run per target, then rounds alternating between them. */
async function rateCase(
  ctx: RunContext,
  id: string,
  method: 'GET' | 'PUT',
  connections: number,
  targets: Target[],
): Promise<CaseResult['series']> {
  const { settings } = ctx
  const measurers: Measurer[] = []
  for (const target of targets) {
    if (method === 'GET') await preloadSmall(ctx, target)
    const keys = Array.from({ length: settings.smallObjects * (method === 'PUT' ? 4 : 1) }, (_, i) =>
      method === 'GET' ? smallKey(i) : putKey(i),
    )
    const requests = await Promise.all(keys.map((k) => (method === 'GET' ? target.get(k) : target.put(k))))
    const job = {
      client: settings.client,
      method,
      connections,
      ...(method === 'PUT' ? { bodyBytes: SMALL_BYTES } : {}),
    }
    await rateClient(ctx.dir, { ...job, seconds: settings.warmSeconds }, requests)
    measurers.push({
      name: target.name,
      async measure() {
        const r = await rateClient(ctx.dir, { ...job, seconds: settings.rateSeconds }, requests)
        return { rps: r.rps, p50: r.p50, p99: r.p99, clientCpu: r.clientCpu }
      },
    })
  }
  return alternate(ctx, id, measurers)
}

export async function p3(ctx: RunContext): Promise<CaseResult[]> {
  const { nginx, node, ceiling, s3rver, ceph } = ctx.peers
  const series = await rateCase(ctx, 'P3', 'GET', 64, present(ctx, nginx, ceiling, node, s3rver, ceph))
  return [{ id: 'P3', title: 'GET 4 KiB objects, 64 connections', metric: 'rps', unit: 'req/s', series }]
}

export async function p4(ctx: RunContext): Promise<CaseResult[]> {
  const { nginx, node, nodeFsync, s3rver, ceph } = ctx.peers
  const series = await rateCase(ctx, 'P4', 'PUT', 64, present(ctx, nginx, node, nodeFsync, s3rver, ceph))
  return [{ id: 'P4', title: 'PUT 4 KiB objects, 64 connections', metric: 'rps', unit: 'req/s', series }]
}

export async function p5(ctx: RunContext): Promise<CaseResult[]> {
  const { cofferS3, ceph } = ctx.peers
  const size = ctx.settings.s3Bytes
  const key = 'p5/object.bin'
  const s3 = { ...ceph.server, bucket: ceph.bucket, key }
  const rate = async (job: Record<string, unknown>) => {
    const { MiBps, clientCpu } = await streamClient(job)
    return { MiBps, clientCpu }
  }
  const puts = [
    { name: cofferS3.name, measure: async () => rate({ mode: 'put', ...(await cofferS3.put(key)), size }) },
    { name: 'AWS SDK→Ceph', measure: () => rate({ mode: 's3-put', s3, size }) },
  ]
  const gets = [
    { name: cofferS3.name, measure: async () => rate({ mode: 'get', ...(await cofferS3.get(key)) }) },
    { name: 'AWS SDK→Ceph', measure: () => rate({ mode: 's3-get', s3 }) },
  ]
  const mib = size / MiB
  return [
    {
      id: 'P5',
      title: `PUT ${mib} MiB through Coffer/S3 in front of Ceph`,
      metric: 'MiBps',
      unit: 'MiB/s',
      series: await alternate(ctx, 'P5 PUT', puts),
    },
    {
      id: 'P5',
      title: `GET ${mib} MiB through Coffer/S3 in front of Ceph`,
      metric: 'MiBps',
      unit: 'MiB/s',
      series: await alternate(ctx, 'P5 GET', gets),
    },
  ]
}

/** Runs `load` against a fresh Coffer/fs process and reports the process's peak RSS (VmHWM). */
async function withFreshCoffer(ctx: RunContext, load: (coffer: Peer) => Promise<Sample>): Promise<Sample> {
  const coffer = await startCoffer({
    driver: 'fs',
    ...(ctx.cpuProfDir === undefined ? {} : { cpuProfDir: ctx.cpuProfDir }),
    ...(ctx.main === undefined ? {} : { main: ctx.main }),
  })
  try {
    await pinServers([coffer.pid])
    const sample = await load(coffer)
    return { peakRssMiB: Number((await peakRssMiB(coffer.pid as number)).toFixed(1)), ...sample }
  } finally {
    await coffer.stop()
  }
}

export async function p6(ctx: RunContext): Promise<CaseResult[]> {
  const { rssLargeBytes: large, rssUploads: n, rssUploadBytes: each } = ctx.settings
  const a = await withFreshCoffer(ctx, async (coffer) => {
    const put = await streamClient({ mode: 'put', ...(await coffer.put('p6/large.bin')), size: large })
    const get = await streamClient({ mode: 'get', ...(await coffer.get('p6/large.bin')) })
    return { putMiBps: put.MiBps, getMiBps: get.MiBps }
  })
  ctx.log(`P6 upload + download: ${JSON.stringify(a)}`)
  const b = await withFreshCoffer(ctx, async (coffer) => {
    const requests = await Promise.all(Array.from({ length: n }, (_, i) => coffer.put(`p6/many-${i}.bin`)))
    const { MiBps } = await streamClient({ mode: 'put-many', requests, size: each })
    return { MiBps }
  })
  ctx.log(`P6 concurrent uploads: ${JSON.stringify(b)}`)
  const one = (sample: Sample) => [{ target: 'Coffer/fs', samples: [sample], median: sample }]
  return [
    {
      id: 'P6',
      title: `peak RSS, ${large / MiB} MiB upload + download`,
      metric: 'peakRssMiB',
      unit: 'MiB',
      series: one(a),
    },
    {
      id: 'P6',
      title: `peak RSS, ${n} concurrent ${each / MiB} MiB uploads`,
      metric: 'peakRssMiB',
      unit: 'MiB',
      series: one(b),
    },
  ]
}

export async function p7(ctx: RunContext): Promise<CaseResult[]> {
  const { nginx, ceph } = ctx.peers
  const series = await rateCase(ctx, 'P7', 'GET', 16, present(ctx, nginx, ceph))
  return [{ id: 'P7', title: '4 KiB GET latency, 16 connections', metric: 'p99', unit: 'ms', series }]
}

/** In the order they run: P2 writes the large object P1 reads. */
export const CASES: Record<string, (ctx: RunContext) => Promise<CaseResult[]>> = {
  P2: p2,
  P1: p1,
  P3: p3,
  P7: p7,
  P4: p4,
  P5: p5,
  P6: p6,
}
