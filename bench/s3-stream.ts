/**
 * Coffer's S3 driver beside the AWS SDK used directly, against one Ceph RGW started for the run:
 * upload and download of one large stream, rounds alternating (A B A B …), medians reported.
 * Usage: npm run bench:s3 [-- --size-mib 1024 --rounds 3]
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { parseArgs, promisify } from 'node:util'
import { startCeph } from '../packages/driver-s3/src/testing/ceph.ts'
import { createBucket } from '../packages/driver-s3/src/testing/s3-test-server.ts'

const run = promisify(execFile)
const { values } = parseArgs({
  options: { 'size-mib': { type: 'string', default: '1024' }, rounds: { type: 'string', default: '3' } },
})

interface Round {
  mode: string
  uploadMiBps: number
  downloadMiBps: number
  peakRssMiB: number
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

// Ceph's memstore keeps objects in the OSD's memory: give it room for a few large objects.
const server = await startCeph()
try {
  const bucket = `bench-${randomBytes(3).toString('hex')}`
  await createBucket(server, bucket)
  const worker = new URL('./s3-worker.mjs', import.meta.url).pathname
  const args = [values['size-mib'], server.endpoint, bucket, server.accessKeyId, server.secretAccessKey]
  const rounds: Round[] = []
  for (let i = 0; i < Number(values.rounds); i++) {
    for (const mode of ['coffer', 'sdk']) {
      const { stdout } = await run(process.execPath, [worker, mode, ...(args as string[])], {
        timeout: 600_000,
      })
      rounds.push(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Round)
      console.error(stdout.trim())
    }
  }
  const of = (mode: string, field: keyof Omit<Round, 'mode'>) =>
    median(rounds.filter((r) => r.mode === mode).map((r) => r[field]))
  const ratio = (field: 'uploadMiBps' | 'downloadMiBps') =>
    (of('coffer', field) / of('sdk', field)).toFixed(2)
  console.log(`Ceph RGW (memstore), ${values['size-mib']} MiB, median of ${values.rounds} rounds`)
  console.log('| client | upload (MiB/s) | download (MiB/s) | peak RSS (MiB) |')
  console.log('| --- | --- | --- | --- |')
  for (const mode of ['coffer', 'sdk']) {
    const label = mode === 'coffer' ? 'Coffer S3 driver' : 'AWS SDK direct'
    console.log(
      `| ${label} | ${of(mode, 'uploadMiBps')} | ${of(mode, 'downloadMiBps')} | ${of(mode, 'peakRssMiB')} |`,
    )
  }
  console.log(`| ratio | ${ratio('uploadMiBps')}× | ${ratio('downloadMiBps')}× | |`)
} finally {
  await server.stop()
}
