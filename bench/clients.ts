/**
 * Runs the load generators, each measurement in a process of its own pinned to the client's core
 * (`taskset -c 1`; every server runs on core 0, see peers/pin.ts), and reports with every figure how
 * much of its core the client used: a run whose client used more than 90% of it measured the
 * client, not the server, and the report marks it invalid.
 */
import { execFile, spawnSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { RequestSpec } from './peers/target.ts'

const exec = promisify(execFile)
const STREAM_CLIENT = new URL('./load/stream-client.mjs', import.meta.url).pathname
const AUTOCANNON_CLIENT = new URL('./load/rate-client.mjs', import.meta.url).pathname
const WRK_SCRIPT = new URL('./load/wrk-job.lua', import.meta.url).pathname
const INSTALL_TOOLS = new URL('./install-tools.sh', import.meta.url).pathname

/** The core every load generator runs on; the servers get core 0 (peers/pin.ts). */
export const CLIENT_CORE = 1
/** Above this share of its core (in %), a client was (or was about to be) the bottleneck. */
export const CLIENT_CPU_LIMIT = 90

/** What bench/load/stream-client.mjs prints, and the client's CPU (% of one core). */
export interface StreamResult {
  bytes: number
  ms: number
  MiBps: number
  clientCpu: number
}

/** One request-rate run: its rate, exact latency percentiles (ms), and the client's CPU (%). */
export interface RateResult {
  rps: number
  requests: number
  p50: number
  p99: number
  non2xx: number
  errors: number
  clientCpu: number
}

/** Installs wrk with bench/install-tools.sh when it is missing (a fresh machine). */
export function ensureWrk(): void {
  if (spawnSync('wrk', ['-v']).error === undefined) return
  spawnSync('bash', [INSTALL_TOOLS], { stdio: ['ignore', 'inherit', 'inherit'] })
  if (spawnSync('wrk', ['-v']).error !== undefined) {
    throw new Error('wrk is not installed and bench/install-tools.sh could not install it')
  }
}

/** True when there is a second core for the clients; on one core nothing is pinned. */
export const pinning = availableParallelism() >= 2

/**
 * Runs `argv` on the client's core under bash, whose `times` builtin prints the CPU time of the
 * shell's children once they exit: the client's user + system time, to the millisecond, with no
 * sampling of a process that may already be gone.
 */
async function runClient(argv: string[], timeoutMs: number): Promise<{ stdout: string; clientCpu: number }> {
  const pin = pinning ? `taskset -c ${CLIENT_CORE} ` : ''
  const script = `${pin}"$@"; status=$?; times; exit $status`
  const t0 = performance.now()
  try {
    const { stdout } = await exec('bash', ['-c', script, 'client', ...argv], {
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 16 * 1024 * 1024,
    })
    const seconds = (performance.now() - t0) / 1000
    const lines = stdout.trimEnd().split('\n')
    const times = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s/.exec(lines.at(-1) ?? '')
    if (!times) throw new Error(`no CPU times in the client's output: ${stdout.slice(-500)}`)
    const [, um, us, sm, ss] = times.map(Number) as number[]
    const cpu = (um ?? 0) * 60 + (us ?? 0) + (sm ?? 0) * 60 + (ss ?? 0)
    return { stdout: lines.slice(0, -2).join('\n'), clientCpu: Number(((100 * cpu) / seconds).toFixed(1)) }
  } catch (error) {
    const e = error as Error & { stderr?: string }
    throw new Error(`${argv[0]?.split('/').pop()} failed: ${(e.stderr || e.message).slice(0, 2000)}`)
  }
}

const lastJson = (stdout: string): Record<string, number> => JSON.parse(stdout.split('\n').at(-1) ?? '{}')

/** One stream measurement (see stream-client.mjs for the job's shapes). At most 15 minutes. */
export async function streamClient(job: Record<string, unknown>): Promise<StreamResult> {
  const { stdout, clientCpu } = await runClient(
    [process.execPath, STREAM_CLIENT, JSON.stringify(job)],
    15 * 60_000,
  )
  return { ...(lastJson(stdout) as unknown as StreamResult), clientCpu }
}

/** A request-rate job: which client, method, connections, seconds, and the PUT body's size. */
export interface RateJob {
  client: 'wrk' | 'autocannon'
  method: 'GET' | 'PUT'
  connections: number
  seconds: number
  bodyBytes?: number
}

/** wrk (-t1) over the requests in turn, with bench/load/wrk-job.lua. */
async function wrkRun(dir: string, job: RateJob, requests: RequestSpec[]): Promise<RateResult> {
  const origin = new URL(requests[0]?.url ?? '').origin
  const lines = requests.map(({ url, headers }) => {
    const u = new URL(url)
    if (u.origin !== origin) throw new Error(`wrk: one origin a run, not ${origin} and ${u.origin}`)
    const fields = Object.entries(headers).map(([name, value]) => `${name}: ${value}`)
    return [job.method, u.pathname + u.search, ...fields].join('\t')
  })
  const file = join(dir, `wrk-job-${process.hrtime.bigint()}.txt`)
  await writeFile(file, `${lines.join('\n')}\n`)
  // wrk takes whole seconds only.
  const seconds = Math.max(1, Math.round(job.seconds))
  const args = ['-t1', `-c${job.connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', WRK_SCRIPT]
  const { stdout, clientCpu } = await runClient(
    ['wrk', ...args, origin, '--', file, String(job.bodyBytes ?? 0)],
    (job.seconds + 60) * 1000,
  )
  const line = stdout.split('\n').find((l) => l.startsWith('WRK-RESULT '))
  if (!line) throw new Error(`wrk printed no result: ${stdout.slice(-1000)}`)
  const r = JSON.parse(line.slice('WRK-RESULT '.length)) as Record<string, number>
  const rps = Number((((r.requests ?? 0) * 1e6) / (r.durationUs ?? 1)).toFixed(0))
  return {
    rps,
    requests: r.requests ?? 0,
    p50: r.p50 ?? 0,
    p99: r.p99 ?? 0,
    non2xx: r.non2xx ?? 0,
    errors: r.errors ?? 0,
    clientCpu,
  }
}

/** autocannon (bench/load/rate-client.mjs), kept to show beside wrk where it is the limit. */
async function autocannonRun(dir: string, job: RateJob, requests: RequestSpec[]): Promise<RateResult> {
  const file = join(dir, `rate-job-${process.hrtime.bigint()}.json`)
  await writeFile(file, JSON.stringify({ ...job, requests }))
  const { stdout, clientCpu } = await runClient(
    [process.execPath, AUTOCANNON_CLIENT, file],
    (job.seconds + 60) * 1000,
  )
  return { ...(lastJson(stdout) as unknown as RateResult), clientCpu }
}

/** One request-rate run of `seconds` over the given requests, in turn; fails on any error or non-2xx. */
export async function rateClient(dir: string, job: RateJob, requests: RequestSpec[]): Promise<RateResult> {
  const result = await (job.client === 'wrk' ? wrkRun : autocannonRun)(dir, job, requests)
  if (result.errors > 0 || result.non2xx > 0) {
    // The path only: a presigned URL's query holds a signature.
    const u = new URL(requests[0]?.url ?? '')
    throw new Error(
      `${job.method} ${u.origin}${u.pathname}: ${result.non2xx} non-2xx, ${result.errors} errors`,
    )
  }
  return result
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  if (sorted.length === 0) return Number.NaN
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}
