/**
 * `coffer sync` against a local Coffer: starts the service with `coffer serve` (fs driver and SQLite
 * in a temp data dir, a real admin key), then times, each as one run of the built CLI:
 *   - a folder of FILES small files (1–16 KiB of random bytes) synced up, synced again (nothing to
 *     do: every file is hashed and compared with the listing's sha256, or its md5 etag), and synced
 *     down to an empty folder;
 *   - a folder holding one file of SIZE MiB synced up (over tus: resumable from 64 MiB) and down.
 * Prints the seconds and the CLI's peak RSS (which shows that files stream: a 1 GiB file is never
 * held) as a table and as JSON. Run `npm run build` first (`npm run bench:cli` does).
 * Usage: npm run bench:cli [-- --files 1000 --size-mib 1024 --concurrency 4 --resume-threshold 64MiB]
 */
import { spawn } from 'node:child_process'
import { randomBytes, randomInt } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { listeningUrl } from './service.mjs'

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '1000' },
    'size-mib': { type: 'string', default: '1024' },
    concurrency: { type: 'string', default: '4' },
    'resume-threshold': { type: 'string', default: '64MiB' },
  },
})
const MiB = 1024 * 1024
const coffer = new URL('../packages/cli/dist/main.js', import.meta.url).pathname
const root = await mkdtemp(join(tmpdir(), 'coffer-bench-cli-'))
const adminKey = `bench-${randomBytes(24).toString('hex')}`
const env = {
  PATH: process.env.PATH ?? '',
  HOME: root,
  XDG_CONFIG_HOME: join(root, 'config'),
  XDG_STATE_HOME: join(root, 'state'),
}

/** Starts `coffer serve` on a free port; resolves with its address and the process. */
async function startService() {
  const child = spawn(process.execPath, [coffer, 'serve', '--port', '0', '--data-dir', join(root, 'data')], {
    env: { ...env, COFFER_ADMIN_KEY: adminKey, COFFER_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await listeningUrl(child)
  return { url, child }
}

/** The process's peak resident memory so far in MiB (Linux: VmHWM), or 0 once it is gone. */
async function peakRssMiB(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024
}

/** Runs `coffer sync SRC DST --json`: its report, wall-clock seconds and the CLI's peak RSS. */
async function timedSync(url, src, dst) {
  const args = [coffer, 'sync', '--json', '--concurrency', values.concurrency, src, dst]
  args.push('--resume-threshold', values['resume-threshold'])
  const started = performance.now()
  const child = spawn(process.execPath, args, {
    env: { ...env, COFFER_URL: url, COFFER_KEY: adminKey },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  child.stdout.on('data', (chunk) => {
    out += chunk
  })
  let peak = 0
  const sampler = setInterval(async () => {
    peak = Math.max(peak, await peakRssMiB(child.pid))
  }, 50)
  const code = await new Promise((resolve) => child.once('exit', resolve))
  clearInterval(sampler)
  const seconds = (performance.now() - started) / 1000
  if (code !== 0) throw new Error(`coffer sync ${src} ${dst} exited with ${code}`)
  const report = JSON.parse(out)
  return {
    seconds: Number(seconds.toFixed(2)),
    transferred: report.transferred,
    bytes: report.bytes,
    cliPeakRssMiB: Number(peak.toFixed(1)),
  }
}

/** FILES files of 1–16 KiB in a few nested folders. */
async function smallFiles(dir, count) {
  for (let i = 0; i < count; i++) {
    const folder = join(dir, `d${i % 10}`, `e${i % 7}`)
    await mkdir(folder, { recursive: true })
    await writeFile(join(folder, `file-${i}.bin`), randomBytes(randomInt(1024, 16 * 1024 + 1)))
  }
}

/** One file of `mib` MiB, written from a random 1 MiB block. */
async function largeFile(path, mib) {
  const block = randomBytes(MiB)
  const out = createWriteStream(path)
  for (let i = 0; i < mib; i++) if (!out.write(block)) await new Promise((r) => out.once('drain', r))
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())))
}

const service = await startService()
try {
  const files = Number(values.files)
  const sizeMiB = Number(values['size-mib'])
  const small = join(root, 'small')
  const large = join(root, 'large')
  await smallFiles(small, files)
  await mkdir(large)
  await largeFile(join(large, 'large.bin'), sizeMiB)
  const rows = [
    [`${files} small files up`, await timedSync(service.url, small, 'coffer://exports/small/')],
    [
      `${files} small files again (unchanged)`,
      await timedSync(service.url, small, 'coffer://exports/small/'),
    ],
    [
      `${files} small files down`,
      await timedSync(service.url, 'coffer://exports/small/', join(root, 'small-down')),
    ],
    [`one ${sizeMiB} MiB file up`, await timedSync(service.url, large, 'coffer://exports/large/')],
    [
      `one ${sizeMiB} MiB file down`,
      await timedSync(service.url, 'coffer://exports/large/', join(root, 'large-down')),
    ],
  ]
  const settings = `concurrency ${values.concurrency}, tus from ${values['resume-threshold']}`
  console.log(`| coffer sync (${settings}) | files | MiB | seconds | CLI peak RSS (MiB) |`)
  console.log('| --- | --- | --- | --- | --- |')
  for (const [name, r] of rows)
    console.log(
      `| ${name} | ${r.transferred} | ${(r.bytes / MiB).toFixed(1)} | ${r.seconds} | ${r.cliPeakRssMiB} |`,
    )
  console.log(JSON.stringify(Object.fromEntries(rows)))
} finally {
  service.child.kill('SIGTERM')
  await new Promise((resolve) => service.child.once('exit', resolve))
  await rm(root, { recursive: true, force: true })
}
