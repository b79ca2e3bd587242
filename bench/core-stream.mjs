/**
 * Streams one large object through @coffer/core's fs driver and back, reporting throughput and the
 * process's peak RSS. Usage: npm run bench:core [-- --size-mib 1024] [--no-fsync]
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import { createStorage, fsDriver } from '@coffer/core'

const { values } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    'no-fsync': { type: 'boolean', default: false },
  },
})
const sizeMiB = Number(values['size-mib'])
const total = sizeMiB * 1024 * 1024
const MiB = 1024 * 1024

/** A stream of `total` bytes that reuses one random 1 MiB block: nothing big is ever allocated. */
function source() {
  const block = randomBytes(MiB)
  let sent = 0
  return new Readable({
    highWaterMark: MiB,
    read() {
      if (sent >= total) return void this.push(null)
      const n = Math.min(MiB, total - sent)
      sent += n
      this.push(n === MiB ? block : block.subarray(0, n))
    },
  })
}

let peakRss = process.memoryUsage.rss()
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss())
}, 20)

const root = await mkdtemp(join(tmpdir(), 'coffer-bench-'))
const storage = createStorage({ driver: fsDriver({ root, fsync: !values['no-fsync'] }) })
try {
  const t0 = performance.now()
  const info = await storage.upload(source(), { key: 'bench/large.bin' })
  const t1 = performance.now()
  let received = 0
  const { body } = await storage.getObject('bench/large.bin')
  await pipeline(
    body,
    new Writable({
      write(chunk, _encoding, done) {
        received += chunk.length
        done()
      },
    }),
  )
  const t2 = performance.now()
  if (info.size !== total || received !== total) throw new Error(`size mismatch: ${info.size} / ${received}`)
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
