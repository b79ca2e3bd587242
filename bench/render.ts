/**
 * Image renders (issue #19), on this machine: cold renders per second of a 12-megapixel JPEG to a
 * 256 px WebP through Coffer (a spawned `npm start` build, over HTTP, each render a cache miss) beside
 * sharp called directly in this process and Debian's `vipsthumbnail` (installed by
 * bench/install-vips.sh when missing); cached variant GETs beside plain 4 KiB object GETs (same auth
 * path); the service's peak RSS during 16 concurrent cold renders. Loopback only, bounded loops.
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
  return { pid: child.pid as number, call, stop }
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
    const gets = 2000
    const cached = await rate(gets, 16, async () => {
      await render(256)
    })
    const plain = await rate(gets, 16, async () => {
      await coffer.call('GET', '/v1/buckets/documents/objects/bench/small.bin')
    })
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
        'cached variant GETs/s (16 at a time)',
        cached.toFixed(0),
        `${(cached / plain).toFixed(2)}× plain (goal ≥ 0.9×)`,
      ],
      ['plain 4 KiB GETs/s (16 at a time)', plain.toFixed(0), ''],
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
