/**
 * Writes one export of many rows per format through @coffer/exports into an fs driver, each format in
 * its own process so that each peak RSS is its own, and reports rows, bytes, time and peak RSS
 * (the kernel's high-water mark, getrusage's maxrss), each child with the service's V8 flags (those
 * it starts with, and those it sets at run time).
 * Goal: ≤ 200 MiB at 1,000,000 rows.
 * With --check, each file is then opened and read back (see export-check.mjs).
 * Usage: npm run bench:exports [-- --rows 1000000] [--formats csv,json,ndjson,xlsx,pdf] [--check]
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { checkExport } from './export-check.mjs'

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    check: { type: 'boolean', default: false },
    formats: { type: 'string', default: 'csv,json,ndjson,xlsx,pdf' },
    child: { type: 'string' },
  },
})
const rows = Number(values.rows)
const MiB = 1024 * 1024

/** Rows of the shapes an app exports: ids, text (some non-Latin), numbers, dates, booleans. */
async function* generate(count) {
  const start = Date.UTC(2024, 0, 1)
  for (let i = 0; i < count; i++) {
    yield {
      id: i,
      name: i % 3 === 0 ? `Клиент ${i}` : `Customer ${i}`,
      amount: Math.round(i * 7.31) / 100,
      paid: i % 2 === 0,
      created: new Date(start + i * 60_000),
      note: i % 10 === 0 ? '=SUM(A1:A9) looks like a formula' : 'ordinary note',
    }
  }
}

async function child(format) {
  // The run-time heap flags the service sets at its start, before the work begins.
  const { tuneHeap } = await import('@coffer/server/heap-tuning')
  tuneHeap()
  const { createStorage, fsDriver } = await import('@coffer/core')
  const { createExport } = await import('@coffer/exports')
  const root = await mkdtemp(join(tmpdir(), 'coffer-bench-exports-'))
  try {
    const storage = createStorage({ driver: fsDriver({ root, fsync: false }) })
    const t0 = performance.now()
    const result = await createExport(storage, generate(rows), { format, filename: `bench.${format}` })
    const seconds = (performance.now() - t0) / 1000
    const peak = process.resourceUsage().maxRSS * 1024
    // Measured before the check, which reads the file back in the same process.
    const checked = values.check ? await checkExport(storage, result, rows, format) : undefined
    process.stdout.write(
      JSON.stringify({ format, rows: result.rows, bytes: result.size, seconds, peak, checked }),
    )
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

if (values.child !== undefined) {
  await child(values.child)
} else {
  const script = fileURLToPath(import.meta.url)
  console.log(`exports of ${rows} rows (node ${process.version})`)
  for (const format of values.formats.split(',')) {
    // With the V8 flags the service starts with (packages/server/src/heap-tuning.ts), where exports run.
    const args = ['--max-semi-space-size=4', script, '--rows', String(rows), '--child', format]
    if (values.check) args.push('--check')
    const { stdout } = await promisify(execFile)(process.execPath, args, {
      maxBuffer: MiB,
    })
    const r = JSON.parse(stdout)
    const line = [
      r.format.padEnd(7),
      `${r.rows} rows`,
      `${(r.bytes / MiB).toFixed(1)} MiB`,
      `${r.seconds.toFixed(1)} s`,
      `${Math.round(r.rows / r.seconds)} rows/s`,
      `peak RSS ${(r.peak / MiB).toFixed(0)} MiB`,
      r.peak <= 200 * MiB ? 'ok' : 'OVER 200 MiB',
      ...(r.checked ? [`checked: ${r.checked}`] : []),
    ]
    console.log(line.join('  '))
  }
}
