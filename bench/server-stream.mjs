/**
 * One large object through Coffer's HTTP API: starts the built service (`npm run build` first; the fs
 * driver and SQLite in a temp data dir, auth on with a real admin key), PUTs a stream of SIZE MiB,
 * GETs it back, and reports throughput and the service process's peak RSS (VmHWM).
 * Usage: npm run bench:server [-- --size-mib 1024]
 */
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { parseArgs } from 'node:util'
import { startService } from './service.mjs'

const { values } = parseArgs({ options: { 'size-mib': { type: 'string', default: '1024' } } })
const MiB = 1024 * 1024
const total = Number(values['size-mib']) * MiB
const { url, child, adminKey, stop } = await startService('server')

try {
  const headers = { authorization: `Bearer ${adminKey}` }
  const objectUrl = `${url}/v1/buckets/exports/objects/bench/large.bin`
  const block = randomBytes(MiB)
  async function* body() {
    for (let sent = 0; sent < total; sent += MiB) yield block
  }
  const t0 = performance.now()
  const put = await fetch(objectUrl, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(total) },
    body: Readable.toWeb(Readable.from(body())),
    duplex: 'half',
  })
  if (!put.ok) throw new Error(`PUT answered ${put.status}: ${await put.text()}`)
  const t1 = performance.now()
  const got = await fetch(objectUrl, { headers })
  let received = 0
  for await (const chunk of got.body) received += chunk.length
  const t2 = performance.now()
  if (received !== total) throw new Error(`GET gave ${received} bytes of ${total}`)
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8')
  const peakRssMiB = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024
  const rate = (ms) => Number((total / MiB / (ms / 1000)).toFixed(0))
  const result = {
    sizeMiB: total / MiB,
    uploadMiBps: rate(t1 - t0),
    downloadMiBps: rate(t2 - t1),
    serverPeakRssMiB: Number(peakRssMiB.toFixed(1)),
  }
  console.log('| size | PUT (MiB/s) | GET (MiB/s) | server peak RSS (MiB) |')
  console.log('| --- | --- | --- | --- |')
  console.log(
    `| ${result.sizeMiB} MiB | ${result.uploadMiBps} | ${result.downloadMiBps} | ${result.serverPeakRssMiB} |`,
  )
  console.log(JSON.stringify(result))
} finally {
  await stop()
}
