import { describe, expect, it } from 'vitest'
import { formatReport, fuzz } from './fuzzer.ts'

// A short seeded pass of the HTTP API fuzzer, as `npm run check` runs it: a fixed seed (FUZZ_SEED to
// choose another), bounded by a count of cases and by time. `npm run test:fuzz` runs longer; both
// print a replay command for each failure (`npm run test:fuzz -- --seed S --path P`).
const SEED = Number(process.env.FUZZ_SEED ?? 22)
const RUNS = Number(process.env.FUZZ_RUNS ?? 700)
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 90)
/** The S3 endpoint's slice: its own seed, count and time, short (`npm run test:fuzz -- --only s3` runs long). */
const S3_SEED = Number(process.env.FUZZ_S3_SEED ?? 7)
const S3_RUNS = Number(process.env.FUZZ_S3_RUNS ?? 200)
const S3_SECONDS = Number(process.env.FUZZ_S3_SECONDS ?? 30)
/** FUZZ_PATH replays that one case (printing every exchange), as `npm run test:fuzz -- --path` does. */
const PATH = process.env.FUZZ_PATH

describe('the HTTP API under fuzzing (a real Coffer: fs driver, SQLite)', () => {
  it(
    'answers every request, never 5xx for a client error, errors as problem documents, writes only its data dir, index = store',
    async () => {
      const replay = PATH === undefined ? {} : { path: PATH, log: (line: string) => console.log(line) }
      const report = await fuzz({ seed: SEED, runs: RUNS, seconds: SECONDS, only: 'api', ...replay })
      const text = formatReport(report)
      if (report.failures.length > 0) console.error(text)
      // The pass did fuzz: cases ran, and each sent requests.
      expect(report.cases).toBeGreaterThan(0)
      expect(report.requests).toBeGreaterThanOrEqual(report.cases)
      expect(report.failures.length, text).toBe(0)
    },
    (SECONDS + 120) * 1000,
  )

  it(
    'on the S3 endpoint: S3 XML errors with request ids, no 5xx, no secret or signature shown, S3 = REST = last write',
    async () => {
      const replay = PATH === undefined ? {} : { path: PATH, log: (line: string) => console.log(line) }
      const options = { seed: S3_SEED, runs: S3_RUNS, seconds: S3_SECONDS, only: 's3' as const }
      const report = await fuzz({ ...options, ...replay })
      const text = formatReport(report)
      if (report.failures.length > 0) console.error(text)
      expect(report.cases).toBeGreaterThan(0)
      // Valid requests reached the operations: writes were stored and read back through both APIs.
      expect(report.statuses['GET S3 /:bucket/* (check) 200'] ?? 0, text).toBeGreaterThan(0)
      expect(report.failures.length, text).toBe(0)
    },
    (S3_SECONDS + 120) * 1000,
  )
})
