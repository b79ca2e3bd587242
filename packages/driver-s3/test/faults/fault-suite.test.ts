import { type S3TestServer, startServer } from '@coffer/driver-s3/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CofferOnS3,
  indexRows,
  openUploads,
  REQUEST_BOUND,
  request,
  startCofferOnS3,
  storeContents,
} from './coffer-on-s3.ts'
import { possibleContents, runWorkload } from './fault-workload.ts'

/**
 * `COFFER_FAULT_ROUNDS` (default 1: the short run of `npm run check`) and `COFFER_FAULT_SEED`
 * (default 22; a failing run prints its seed, which replays its operations and fault draws).
 * `npm run test:faults` runs more rounds.
 */
const ROUNDS = Number(process.env.COFFER_FAULT_ROUNDS ?? 1)
const SEED = Number(process.env.COFFER_FAULT_SEED ?? 22)

describe(`Coffer on Ceph RGW through a fault proxy (seed ${SEED}, ${ROUNDS} rounds)`, () => {
  let server: S3TestServer | string
  let coffer: CofferOnS3 | undefined
  beforeAll(async () => {
    server = await startServer('ceph')
  })
  afterAll(async () => {
    await coffer?.close()
    if (typeof server === 'object') await server.stop()
  })

  it(
    'loses no acknowledged upload, stores no wrong byte, leaves no upload open, keeps the index',
    async ({ skip }) => {
      if (typeof server === 'string') return skip(server)
      const c = await startCofferOnS3(server, SEED)
      coffer = c
      const log = await runWorkload(c, { seed: SEED, rounds: ROUNDS, concurrency: 3 })
      const statuses: Record<string, number> = {}
      for (const r of log.requests)
        statuses[`${r.method} ${r.status}`] = (statuses[`${r.method} ${r.status}`] ?? 0) + 1
      const slowestMs = Math.round(Math.max(...log.requests.map((r) => r.ms)))
      console.info(
        `fault run seed ${SEED}: ${JSON.stringify({ statuses, slowestMs, faults: c.proxy.counts })}`,
      )

      // Every answer is a success or a 503 (a GET whose body broke after its headers: status 0);
      // none took longer than the driver's deadlines allow.
      expect(
        log.requests.filter((r) => ![200, 503].includes(r.status) && !(r.method === 'GET' && r.status === 0)),
      ).toEqual([])
      expect(log.requests.filter((r) => r.ms >= REQUEST_BOUND)).toEqual([])
      expect(log.wrongReads).toEqual([])
      // Nothing left behind once the sweep ran (no request is in flight now).
      await c.driver.sweepUploads(new Date(Date.now() + 1000))
      expect(await openUploads(c)).toEqual([])

      const stored = await storeContents(c, 'documents')
      const index = await indexRows(c, 'documents')
      const problems: string[] = []
      for (const [key, writes] of log.writes) {
        const object = stored.get(key)
        const possible = possibleContents(writes)
        const acked = writes.some((write) => write.acked)
        if (object === undefined) {
          if (acked) problems.push(`${key}: acknowledged, then lost`)
          continue
        }
        const match = possible.find((write) => write.sha256 === object.sha256)
        if (match === undefined) problems.push(`${key}: holds bytes no PUT sent (${object.size} bytes)`)
        else if (match.acked && object.recorded !== object.sha256)
          problems.push(`${key}: recorded sha256 differs`)
        // An acknowledged last write is in the index as stored; after a failed one, reconcile decides.
        const row = index.get(key)
        const settled = possible.length === 1 && possible[0]?.acked === true
        if (
          settled &&
          (row?.etag !== object.etag || row.size !== object.size || row.sha256 !== object.sha256)
        )
          problems.push(`${key}: index row ${JSON.stringify(row)} is not the stored object`)
      }
      for (const key of stored.keys()) if (!log.writes.has(key)) problems.push(`${key}: stored, never sent`)
      expect(problems).toEqual([])

      // Reconcile brings the rest in line: index = store, key for key.
      const report = await request(c, 'POST', '/v1/reconcile', '{}')
      expect(report.status).toBe(200)
      const after = await indexRows(c, 'documents')
      const shape = (rows: Map<string, { size: number; etag: string }>) =>
        [...rows].map(([key, row]) => `${key} ${row.size} ${row.etag}`).sort()
      expect(shape(after)).toEqual(shape(stored))
    },
    ROUNDS * 240_000,
  )
})
