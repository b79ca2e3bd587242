/**
 * The streams' load generator, one process per measurement so that it shares nothing with the
 * servers: GETs or PUTs of large bodies over HTTP, or with the AWS SDK straight to an S3 server.
 * Prints one JSON line: { bytes, ms, MiBps }.
 *
 * PUTs go through undici. A GET reads its socket into one reusable 1 MiB buffer (`onread`): every
 * Node HTTP client (undici, node:http) allocates a buffer per 64 KiB read and tops out near 1 GB/s
 * on this kind of machine, well under what nginx and Coffer send (curl reads 2+ GB/s), so it would
 * measure itself instead of the server.
 * Usage: node bench/load/stream-client.mjs '<json>' where json is one of
 *   { mode: 'get', url, headers }                       one GET, the body counted and dropped
 *   { mode: 'put', url, headers, size }                 one PUT of `size` bytes (Content-Length set)
 *   { mode: 'put-many', requests: [{url, headers}], size }  all PUTs at once
 *   { mode: 's3-get' | 's3-put', s3: { endpoint, region, accessKeyId, secretAccessKey, bucket, key }, size }
 */
import { connect } from 'node:net'
import { pipeline } from 'node:stream/promises'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { Agent, request } from 'undici'
import { sink, source } from '../streams.mjs'

const job = JSON.parse(process.argv[2] ?? '{}')
const MiB = 1024 * 1024
// No timeouts: a 5 GiB body on a busy machine may take minutes. One connection per request.
const dispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0, connections: 64 })

/** One HTTP/1.1 GET on its own connection (`Connection: close`); resolves with the body's length. */
function get(url, headers) {
  const u = new URL(url)
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`)
  const requestHead = `GET ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\n${lines.join('')}connection: close\r\n\r\n`
  return new Promise((resolve, reject) => {
    let head = ''
    let status = 0
    let length = -1
    let received = -1
    const socket = connect({
      host: u.hostname,
      port: Number(u.port),
      onread: {
        buffer: Buffer.allocUnsafe(MiB),
        callback(n, buffer) {
          if (received >= 0) {
            received += n
            return
          }
          head += buffer.toString('latin1', 0, n)
          const end = head.indexOf('\r\n\r\n')
          if (end === -1) {
            if (head.length > 64 * 1024) socket.destroy(new Error('response head over 64 KiB'))
            return
          }
          status = Number(head.slice(9, 12))
          length = Number(/\r\ncontent-length: *(\d+)/i.exec(head.slice(0, end))?.[1] ?? -1)
          received = head.length - end - 4
          head = head.slice(0, end)
        },
      },
    })
    socket.on('connect', () => socket.write(requestHead))
    socket.on('error', reject)
    socket.on('close', () => {
      if (status !== 200) reject(new Error(`GET ${u.pathname} answered ${status}: ${head.slice(0, 300)}`))
      else if (length >= 0 && received !== length)
        reject(new Error(`GET ${u.pathname}: ${received} of ${length} bytes`))
      else resolve(received)
    })
  })
}

async function put(url, headers, size) {
  const res = await request(url, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body: source(size),
    dispatcher,
  })
  const text = await res.body.text()
  if (res.statusCode >= 300) throw new Error(`PUT answered ${res.statusCode}: ${text.slice(0, 300)}`)
  return size
}

function s3Client(s3) {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
}

async function run() {
  switch (job.mode) {
    case 'get':
      return get(job.url, job.headers)
    case 'put':
      return put(job.url, job.headers, job.size)
    case 'put-many': {
      const sizes = await Promise.all(job.requests.map((r) => put(r.url, r.headers, job.size)))
      return sizes.reduce((a, b) => a + b, 0)
    }
    case 's3-get': {
      const client = s3Client(job.s3)
      const got = await client.send(new GetObjectCommand({ Bucket: job.s3.bucket, Key: job.s3.key }))
      const counter = sink()
      await pipeline(got.Body, counter)
      client.destroy()
      return counter.received
    }
    case 's3-put': {
      // The SDK's way for a large stream, with the S3 driver's part size and parallelism.
      const client = s3Client(job.s3)
      const params = { Bucket: job.s3.bucket, Key: job.s3.key, Body: source(job.size) }
      await new Upload({ client, params, partSize: 8 * MiB, queueSize: 4 }).done()
      client.destroy()
      return job.size
    }
    default:
      throw new Error(`unknown mode ${job.mode}`)
  }
}

const t0 = performance.now()
const bytes = await run()
const ms = performance.now() - t0
await dispatcher.close()
console.log(
  JSON.stringify({ bytes, ms: Number(ms.toFixed(1)), MiBps: Number((bytes / MiB / (ms / 1000)).toFixed(1)) }),
)
