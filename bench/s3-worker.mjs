/**
 * One measured round of bench/s3-stream.ts, in its own process so that its peak RSS is its own:
 * uploads then downloads `size` bytes, either through Coffer's S3 driver or with the AWS SDK used
 * directly (lib-storage Upload + GetObject), and prints one JSON line.
 * Usage: node bench/s3-worker.mjs coffer|sdk SIZE_MIB ENDPOINT BUCKET ACCESS_KEY SECRET_KEY
 */
import { pipeline } from 'node:stream/promises'
import { DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { createStorage } from '@coffer/core'
import { s3Driver } from '@coffer/driver-s3'
import { sink, source } from './streams.mjs'

const [mode, sizeMiB, endpoint, bucket, accessKeyId, secretAccessKey] = process.argv.slice(2)
const MiB = 1024 * 1024
const total = Number(sizeMiB) * MiB
const partSize = 8 * MiB
const queueSize = 4
const credentials = { accessKeyId, secretAccessKey }

let peak = process.memoryUsage.rss()
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss())
}, 20)

const key = `bench/${mode}-${Date.now()}.bin`
let up
let down
if (mode === 'coffer') {
  const storage = createStorage({ driver: s3Driver({ bucket, endpoint, credentials, partSize, queueSize }) })
  const t0 = performance.now()
  await storage.upload(source(total), { key, contentType: 'application/octet-stream' })
  const t1 = performance.now()
  await pipeline((await storage.getObject(key)).body, sink())
  const t2 = performance.now()
  await storage.deleteObject(key)
  await storage.close()
  ;[up, down] = [t1 - t0, t2 - t1]
} else {
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  const t0 = performance.now()
  await new Upload({
    client,
    params: { Bucket: bucket, Key: key, Body: source(total) },
    partSize,
    queueSize,
  }).done()
  const t1 = performance.now()
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  await pipeline(got.Body, sink())
  const t2 = performance.now()
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
  client.destroy()
  ;[up, down] = [t1 - t0, t2 - t1]
}
clearInterval(sampler)
const rate = (ms) => Number((total / MiB / (ms / 1000)).toFixed(1))
console.log(
  JSON.stringify({
    mode,
    uploadMiBps: rate(up),
    downloadMiBps: rate(down),
    peakRssMiB: Number((peak / MiB).toFixed(1)),
  }),
)
