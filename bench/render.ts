/**
 * Image renders (issue #19), on this machine: cold renders per second of a 12-megapixel JPEG to a
 * 256 px WebP through Coffer (a spawned `npm start` build, over HTTP, each render a cache miss) beside
 * sharp called directly in this process and Debian's `vipsthumbnail` (installed by
 * bench/install-vips.sh when missing); cached variant GETs beside plain 4 KiB object GETs (same auth
 * path; wrk on core 1, the service pinned to core 0, the client's CPU reported); the service's peak RSS during 16 concurrent cold renders. Loopback only, bounded loops.
 * Usage: npm run bench:render [-- --renders N]   (default 24 renders per target)
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import sharp from 'sharp'
import { START_FLAGS } from '../packages/server/src/service/heap-tuning.ts'
import { CLIENT_CPU_LIMIT, ensureWrk, pinning, rateClient } from './clients.ts'
import { descendants, pinServers } from './peers/pin.ts'
import { freePort, peakRssMiB, stopperOf, waitForHttp } from './peers/processes.ts'

const { values } = parseArgs({ options: { renders: { type: 'string', default: '24' } } })
const RENDERS = Number(values.renders)
const PARALLEL = 2
const MAIN = new URL('../packages/server/dist/main.js', import.meta.url).pathname

/** Runs `count` tasks, `parallel` at a time; their rate per second. */
async function rate(count: number, parallel: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await task(next++)
    }),
  )
  return count / ((performance.now() - started) / 1000)
}

async function photo(): Promise<Buffer> {
  // 4000×3000 with texture, so the encoder and decoder work as on a photo.
  const noise = await sharp({
    create: {
      width: 1000,
      height: 750,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 120, sigma: 40 },
    },
  })
    .png()
    .toBuffer()
  return sharp(noise).resize(4000, 3000).modulate({ hue: 30 }).jpeg({ quality: 88 }).toBuffer()
}

async function startCoffer() {
  const dataDir = mkdtempSync(join(tmpdir(), 'coffer-bench-render-'))
  const admin = `bench-admin-${randomBytes(24).toString('hex')}`
  const port = await freePort()
  // As `npm start` runs it.
  const child = spawn(process.execPath, [...START_FLAGS, MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      COFFER_DATA_DIR: dataDir,
      COFFER_ADMIN_KEY: admin,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const stop = stopperOf(child, dataDir, 30_000)
  const origin = `http://127.0.0.1:${port}`
  await waitForHttp(`${origin}/healthz`, child)
  const call = async (method: string, path: string, body?: Uint8Array<ArrayBuffer>, type = 'image/jpeg') => {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${admin}`, 'content-type': type } }
    if (body !== undefined) init.body = body
    const response = await fetch(`${origin}${path}`, init)
    const bytes = await response.arrayBuffer()
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${Buffer.from(bytes).toString()}`)
    return bytes
  }
  const spec = (path: string) => ({ url: `${origin}${path}`, headers: { authorization: `Bearer ${admin}` } })
  return { pid: child.pid as number, call, spec, stop }
}

async function main() {
  const source = await photo()
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-vips-'))
  const input = join(dir, 'photo.jpg')
  writeFileSync(input, source)
  console.log(
    `source: 4000×3000 JPEG, ${(source.length / 1024 / 1024).toFixed(1)} MiB; ${RENDERS} renders, ${PARALLEL} at a time`,
  )

  const direct = await rate(RENDERS, PARALLEL, async (i) => {
    await sharp(source)
      .resize({ width: 256 + i })
      .webp({ quality: 80 })
      .toBuffer()
  })

  let vips: number | undefined
  if (
    spawnSync('bash', [new URL('./install-vips.sh', import.meta.url).pathname], { stdio: 'inherit' })
      .status === 0
  ) {
    vips = await rate(
      RENDERS,
      PARALLEL,
      (i) =>
        new Promise((resolve, reject) => {
          const run = spawn('vipsthumbnail', [
            input,
            '-s',
            String(256 + i),
            '-o',
            join(dir, `out-${i}.webp[Q=80]`),
          ])
          run.on('error', reject)
          run.on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`vipsthumbnail exited ${code}`)),
          )
        }),
    )
  }

  const coffer = await startCoffer()
  try {
    await coffer.call('PUT', '/v1/buckets/documents/objects/bench/photo.jpg', new Uint8Array(source))
    await coffer.call(
      'PUT',
      '/v1/buckets/documents/objects/bench/small.bin',
      new Uint8Array(randomBytes(4096)),
      'application/octet-stream',
    )
    const render = (w: number) =>
      coffer.call('GET', `/v1/buckets/documents/render/bench/photo.jpg?w=${w}&format=webp`)
    await render(255) // sharp loads at the first render
    const cold = await rate(RENDERS, PARALLEL, async (i) => {
      await render(256 + i)
    })
    // Request rates as the main bench measures them: wrk, the service pinned to core 0 and the
    // client to core 1, the client's CPU reported (a Node client stopped near 9,000 GETs/s here, so
    // the plain side was the client's limit, not the service's).
    ensureWrk()
    if (pinning) await pinServers([coffer.pid, ...(await descendants(coffer.pid))])
    const job = { client: 'wrk' as const, method: 'GET' as const, connections: 16, seconds: 5 }
    const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-render-wrk-'))
    const cachedSpec = coffer.spec('/v1/buckets/documents/render/bench/photo.jpg?w=256&format=webp')
    const plainSpec = coffer.spec('/v1/buckets/documents/objects/bench/small.bin')
    await rateClient(dir, { ...job, seconds: 1 }, [cachedSpec])
    const cachedRun = await rateClient(dir, job, [cachedSpec])
    const plainRun = await rateClient(dir, job, [plainSpec])
    await rm(dir, { recursive: true, force: true })
    const cached = cachedRun.rps
    const plain = plainRun.rps
    const clientNote = (cpu: number) =>
      `client CPU ${cpu.toFixed(0)}%${cpu > CLIENT_CPU_LIMIT ? ' (invalid: the client was the limit)' : ''}`
    await Promise.all(Array.from({ length: 16 }, (_, i) => render(1000 + i)))
    const rss = await peakRssMiB(coffer.pid)
    const rows = [
      ['cold renders/s, Coffer (HTTP, 256 px WebP)', cold.toFixed(2), ''],
      [
        'cold renders/s, sharp in one process',
        direct.toFixed(2),
        `Coffer ${(cold / direct).toFixed(2)}× (goal ≥ 0.8×)`,
      ],
      [
        'cold renders/s, vipsthumbnail',
        vips === undefined ? 'not installed' : vips.toFixed(2),
        vips === undefined ? '' : `Coffer ${(cold / vips).toFixed(2)}×`,
      ],
      [
        'cached variant GETs/s (wrk, 16 connections)',
        cached.toFixed(0),
        `${(cached / plain).toFixed(2)}× plain (goal ≥ 0.9×); ${clientNote(cachedRun.clientCpu)}`,
      ],
      ['plain 4 KiB GETs/s (wrk, 16 connections)', plain.toFixed(0), clientNote(plainRun.clientCpu)],
      ['peak RSS after 16 concurrent cold renders, MiB', rss.toFixed(0), 'goal ≤ 400'],
    ]
    console.log('\n| case | value | note |\n| --- | --- | --- |')
    for (const row of rows) console.log(`| ${row.join(' | ')} |`)
  } finally {
    await coffer.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
