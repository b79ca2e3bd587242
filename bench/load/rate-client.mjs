/**
 * The request-rate load generator (autocannon), one process per measurement so that it shares
 * nothing with the servers. Each request takes the next URL of the list (round robin), so every
 * connection walks over all objects. Prints one JSON line: { rps, requests, p50, p99, non2xx, errors }.
 * Latencies are exact (ms, from autocannon's per-response timings; its histogram rounds to 1 ms).
 * Usage: node bench/load/rate-client.mjs JOB.json, where the file holds
 *   { method: 'GET' | 'PUT', connections, seconds, bodyBytes?, requests: [{ url, headers }] }
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'

const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'))
const first = new URL(job.requests[0].url)
const specs = job.requests.map(({ url, headers }) => {
  const u = new URL(url)
  return { path: u.pathname + u.search, headers }
})
const body = job.bodyBytes ? randomBytes(job.bodyBytes) : undefined
let next = 0

/** Up to 4 M latencies (32 MB); past that, the sample is the first 4 M. */
const latencies = new Float64Array(4 * 1024 * 1024)
let samples = 0

const instance = autocannon({
  url: first.origin,
  connections: job.connections,
  duration: job.seconds,
  pipelining: 1,
  requests: [
    {
      method: job.method,
      setupRequest(request) {
        const spec = specs[next++ % specs.length]
        const headers = { ...request.headers, ...spec.headers }
        if (body) headers['content-type'] = 'application/octet-stream'
        return { ...request, path: spec.path, headers, ...(body ? { body } : {}) }
      },
    },
  ],
})
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  if (statusCode < 300 && samples < latencies.length) latencies[samples++] = responseTime
})
const result = await instance
const sorted = latencies.subarray(0, samples).sort()
const at = (q) => Number((sorted[Math.min(samples - 1, Math.floor(q * samples))] ?? Number.NaN).toFixed(2))
console.log(
  JSON.stringify({
    rps: Number((result.requests.total / result.duration).toFixed(0)),
    requests: result.requests.total,
    p50: at(0.5),
    p99: at(0.99),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  }),
)
