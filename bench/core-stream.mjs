/**
 * Streams one large object through @coffer/core's fs driver and back, reporting throughput and the
 * process's peak RSS. Usage: npm run bench:core [-- --size-mib 1024] [--no-fsync]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import { createStorage, fsDriver } from '@coffer/core'
import { sink, source } from './streams.mjs'

const { values } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    'no-fsync': { type: 'boolean', default: false },
  },
})
const sizeMiB = Number(values['size-mib'])
const total = sizeMiB * 1024 * 1024
const MiB = 1024 * 1024

let peakRss = process.memoryUsage.rss()
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss())
}, 20)

const root = await mkdtemp(join(tmpdir(), 'coffer-bench-'))
const storage = createStorage({ driver: fsDriver({ root, fsync: !values['no-fsync'] }) })
try {
  const t0 = performance.now()
  const info = await storage.upload(source(total), { key: 'bench/large.bin' })
  const t1 = performance.now()
  const { body } = await storage.getObject('bench/large.bin')
  const counter = sink()
  await pipeline(body, counter)
  const t2 = performance.now()
  if (info.size !== total || counter.received !== total) {
    throw new Error(`size mismatch: ${info.size} / ${counter.received}`)
  }
  clearInterval(sampler)
  peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024)
  const rate = (ms) => (total / MiB / (ms / 1000)).toFixed(0)
  const result = {
    sizeMiB,
    fsync: !values['no-fsync'],
    uploadMiBps: Number(rate(t1 - t0)),
    downloadMiBps: Number(rate(t2 - t1)),
    peakRssMiB: Number((peakRss / MiB).toFixed(1)),
    node: process.version,
  }
  console.log(`| size | upload (MiB/s) | download (MiB/s) | peak RSS (MiB) |`)
  console.log(`| --- | --- | --- | --- |`)
  console.log(`| ${sizeMiB} MiB | ${result.uploadMiBps} | ${result.downloadMiBps} | ${result.peakRssMiB} |`)
  console.log(JSON.stringify(result))
  if (peakRss > 150 * MiB) {
    console.error(`peak RSS ${result.peakRssMiB} MiB is over the 150 MiB target`)
    process.exitCode = 1
  }
} finally {
  clearInterval(sampler)
  await rm(root, { recursive: true, force: true })
}
