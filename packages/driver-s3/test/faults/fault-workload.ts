import { randomBytes } from 'node:crypto'
import { type CofferOnS3, request, sha256Of } from './coffer-on-s3.ts'
import { type FaultPlan, seeded } from './fault-proxy.ts'

const MiB = 1024 * 1024

/** One phase of the workload: a fault plan and how many operations run under it. */
interface Phase {
  name: string
  plan: Partial<FaultPlan>
  ops: number
}

/** Each fault alone, then all of them at once; outage and half-open phases are short (each op waits). */
const PHASES: Phase[] = [
  { name: 'calm', plan: {}, ops: 6 },
  { name: 'latency', plan: { latencyMs: 2 }, ops: 6 },
  { name: 'resets', plan: { reset: 0.02 }, ops: 8 },
  { name: 'slow-down', plan: { slowDown: 0.2 }, ops: 6 },
  { name: 'flipped bytes', plan: { flip: 0.01 }, ops: 6 },
  { name: 'outage', plan: { outage: true }, ops: 3 },
  { name: 'half-open', plan: { halfOpen: true }, ops: 3 },
  { name: 'mixed', plan: { latencyMs: 1, reset: 0.01, slowDown: 0.1, flip: 0.005 }, ops: 8 },
]

/** The random numbers of one operation: which key, which kind, what size. */
interface Draw {
  key: number
  roll: number
  size: number
}

/** A PUT as the client saw it: the bytes' sha256 and whether it was acknowledged. */
interface Write {
  sha256: string
  size: number
  acked: boolean
}

/** What the workload did, for the verification against the store. */
export interface WorkloadLog {
  /** Per key, its PUTs in order (a key has one operation at a time, so the order is the store's). */
  writes: Map<string, Write[]>
  /** Every request: method, phase, status and duration. */
  requests: { method: string; phase: string; key: string; status: number; ms: number }[]
  /** GETs answered 200 whose bytes were none of the key's possible contents. */
  wrongReads: string[]
}

/**
 * The bytes a key may hold now: its last acknowledged PUT, or any PUT after it that failed (a
 * failure after the bytes landed, or an answer lost on its way back, leaves the new object).
 */
export function possibleContents(writes: readonly Write[]): Write[] {
  const lastAck = writes.findLastIndex((write) => write.acked)
  return lastAck === -1 ? [...writes] : writes.slice(lastAck)
}

/**
 * A bounded, seeded workload against Coffer: small and large PUTs (single-part and multipart),
 * overwrites and GETs of a few keys, `concurrency` at a time, phase by phase under the proxy's
 * faults. The seed fixes the operations, their sizes and the faults' draws.
 */
export async function runWorkload(
  coffer: CofferOnS3,
  options: { seed: number; rounds: number; concurrency: number },
): Promise<WorkloadLog> {
  const random = seeded(options.seed)
  const log: WorkloadLog = { writes: new Map(), requests: [], wrongReads: [] }
  const keys = Array.from({ length: 8 }, (_, i) => `k${i}.bin`)
  const busy = new Set<string>()

  async function operate(phase: string, draw: Draw): Promise<void> {
    // The first free key from the drawn one: one operation per key at a time.
    const start = Math.floor(draw.key * keys.length)
    const key = keys
      .map((_, i) => keys[(start + i) % keys.length] as string)
      .find((k) => !busy.has(k)) as string
    busy.add(key)
    try {
      const writes = log.writes.get(key) ?? []
      log.writes.set(key, writes)
      const { roll } = draw
      if (roll < 0.4 && writes.some((write) => write.acked)) {
        const answer = await request(coffer, 'GET', `/v1/buckets/documents/objects/${key}`)
        log.requests.push({ method: 'GET', phase, key, status: answer.status, ms: answer.ms })
        const possible = possibleContents(writes).map((write) => write.sha256)
        if (answer.status === 200 && !possible.includes(sha256Of(answer.body))) log.wrongReads.push(key)
        return
      }
      const size = roll < 0.75 ? Math.floor(draw.size * 64 * 1024) : 5 * MiB + Math.floor(draw.size * 7 * MiB)
      const body = randomBytes(size)
      const write: Write = { sha256: sha256Of(body), size, acked: false }
      writes.push(write)
      const answer = await request(coffer, 'PUT', `/v1/buckets/documents/objects/${key}`, body)
      log.requests.push({ method: 'PUT', phase, key, status: answer.status, ms: answer.ms })
      write.acked = answer.status === 200
    } finally {
      busy.delete(key)
    }
  }

  for (let round = 0; round < options.rounds; round++) {
    for (const phase of PHASES) {
      coffer.proxy.set(phase.plan)
      // Drawn up front, so that the operations do not depend on which finished first.
      const draws = Array.from({ length: phase.ops }, () => ({
        key: random(),
        roll: random(),
        size: random(),
      }))
      let next = 0
      const worker = async () => {
        while (next < draws.length) await operate(phase.name, draws[next++] as Draw)
      }
      await Promise.all(Array.from({ length: options.concurrency }, worker))
    }
  }
  coffer.proxy.set({})
  return log
}
