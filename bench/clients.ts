/** Runs the load generators, each measurement in a process of its own, and reads their one JSON line. */
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { RequestSpec } from './peers/target.ts'

const exec = promisify(execFile)
const STREAM_CLIENT = new URL('./load/stream-client.mjs', import.meta.url).pathname
const RATE_CLIENT = new URL('./load/rate-client.mjs', import.meta.url).pathname

/** What bench/load/stream-client.mjs prints. */
export interface StreamResult {
  bytes: number
  ms: number
  MiBps: number
}

/** What bench/load/rate-client.mjs prints. */
export interface RateResult {
  rps: number
  requests: number
  p50: number
  p99: number
  non2xx: number
  errors: number
}

async function runNode(script: string, arg: string, timeoutMs: number): Promise<unknown> {
  try {
    const { stdout } = await exec(process.execPath, [script, arg], {
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 16 * 1024 * 1024,
    })
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')
  } catch (error) {
    const e = error as Error & { stderr?: string }
    throw new Error(`${script.split('/').pop()} failed: ${(e.stderr || e.message).slice(0, 2000)}`)
  }
}

/** One stream measurement (see stream-client.mjs for the job's shapes). At most 15 minutes. */
export function streamClient(job: Record<string, unknown>): Promise<StreamResult> {
  return runNode(STREAM_CLIENT, JSON.stringify(job), 15 * 60_000) as Promise<StreamResult>
}

/** One autocannon run of `seconds` over the given requests, in turn; fails on any error or non-2xx. */
export async function rateClient(
  dir: string,
  job: { method: 'GET' | 'PUT'; connections: number; seconds: number; bodyBytes?: number },
  requests: RequestSpec[],
): Promise<RateResult> {
  const file = join(dir, `rate-job-${process.hrtime.bigint()}.json`)
  await writeFile(file, JSON.stringify({ ...job, requests }))
  const result = (await runNode(RATE_CLIENT, file, (job.seconds + 60) * 1000)) as RateResult
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`${job.method} ${requests[0]?.url}: ${result.non2xx} non-2xx, ${result.errors} errors`)
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
