import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, expect, it } from 'vitest'
import { finished, sha256, useCli } from './cli-fixture.ts'
import { type PausingProxy, startPausingProxy } from './pausing-proxy.ts'

const cli = useCli()
const MiB = 1024 * 1024
let proxy: PausingProxy | undefined
afterEach(() => proxy?.close())

/** The CLI's records of unfinished uploads, in the XDG state dir the fixture gives it. */
async function resumeRecords(): Promise<{ uploadUrl: string; key: string }[]> {
  const dir = join(cli.env.XDG_STATE_HOME, 'coffer', 'uploads')
  const names = await readdir(dir).catch(() => [])
  return Promise.all(names.map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8'))))
}

it('resumes an upload killed mid-transfer (SIGKILL) from the service offset, with identical bytes', async () => {
  // 40 MiB over tus (threshold lowered to 1 MiB) in 16 MiB PATCHes; the proxy holds every client
  // byte after 20 MiB, so the first run is stalled inside its second PATCH when it is killed.
  const size = 40 * MiB
  const bytes = randomBytes(size)
  const file = join(cli.dir, 'big.bin')
  await writeFile(file, bytes)
  proxy = await startPausingProxy(cli.harness.url, 20 * MiB)
  const args = ['cp', '--resume-threshold', '1MiB', file, 'coffer://documents/big/big.bin']
  const env = { COFFER_URL: proxy.url }

  const first = cli.start(args, { env })
  const firstRun = finished(first)
  await proxy.paused
  const [record] = await resumeRecords()
  expect(record?.key).toBe('big/big.bin')
  // The service's own offset (HEAD ends the stalled PATCH with the bytes it received).
  const head = await cli.harness.fetch(new URL(record?.uploadUrl ?? '').pathname, {
    method: 'HEAD',
    headers: { 'tus-resumable': '1.0.0' },
    token: cli.harness.admin,
  })
  expect(head.status).toBe(200)
  const offset = Number(head.headers.get('upload-offset'))
  expect(offset).toBeGreaterThanOrEqual(16 * MiB)
  expect(offset).toBeLessThan(size)
  first.kill('SIGKILL')
  expect((await firstRun).code).toBeNull()
  expect(await cli.get('documents', 'big/big.bin')).toBeUndefined()

  proxy.release()
  const sentBefore = proxy.forwarded
  const second = await cli.coffer(args, { env })
  expect(second.stderr).toBe('')
  expect(second.code).toBe(0)
  expect(second.stdout).toContain(`at byte ${offset} of ${size}`)
  // Only the rest went over the wire (plus headers), not the whole file again.
  expect(proxy.forwarded - sentBefore).toBeLessThan(size - offset + MiB)
  const stored = await cli.get('documents', 'big/big.bin')
  expect(stored?.length).toBe(size)
  expect(sha256(stored ?? Buffer.alloc(0))).toBe(sha256(bytes))
  expect(await resumeRecords()).toEqual([])
})

/** A process's peak resident memory so far in MiB (VmHWM), or undefined once it has exited. */
async function peakRssMiB(pid: number): Promise<number | undefined> {
  try {
    const kib = /VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kib === undefined ? undefined : Number(kib) / 1024
  } catch {
    return undefined
  }
}

it('resumes within the run when the connection is cut mid-PATCH', async () => {
  const size = 40 * MiB
  const bytes = randomBytes(size)
  const file = join(cli.dir, 'cut.bin')
  await writeFile(file, bytes)
  proxy = await startPausingProxy(cli.harness.url, 20 * MiB, { drop: true })
  const args = ['cp', '--resume-threshold', '1MiB', file, 'coffer://documents/cut.bin']
  const run = await cli.coffer(args, { env: { COFFER_URL: proxy.url } })
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  expect(run.stdout).toMatch(/retrying \S+cut\.bin from byte \d+ of 41943040/)
  expect(sha256((await cli.get('documents', 'cut.bin')) ?? Buffer.alloc(0))).toBe(sha256(bytes))
  expect(await resumeRecords()).toEqual([])
})

it('streams: a 256 MiB upload in one PUT never holds the file in memory', async () => {
  const size = 256 * MiB
  const file = join(cli.dir, 'stream.bin')
  await writeFile(file, randomBytes(size))
  const child = cli.start(['cp', '--resume-threshold', '1GiB', file, 'coffer://documents/stream.bin'])
  const run = finished(child)
  let exited = false
  run.then(() => {
    exited = true
  })
  // VmHWM only grows, so the last reading before the exit is the peak up to then.
  let peak = 0
  while (!exited) {
    peak = Math.max(peak, (await peakRssMiB(child.pid ?? 0)) ?? 0)
    await sleep(20)
  }
  expect((await run).code).toBe(0)
  expect(peak).toBeGreaterThan(0)
  // About 160 MiB of runtime whatever the size; a body held whole (as fetch's tee of a streamed
  // body did) adds the file's 256 MiB.
  expect(peak).toBeLessThan(size / MiB - 40)
  expect((await cli.get('documents', 'stream.bin'))?.length).toBe(size)
})

it('removes its half-written download when interrupted (SIGINT)', async () => {
  await cli.put('documents', 'interrupted.bin', randomBytes(24 * MiB))
  proxy = await startPausingProxy(cli.harness.url, 8 * MiB, { side: 'down' })
  const dir = join(cli.dir, 'interrupted')
  await mkdir(dir)
  const child = cli.start(['cp', 'coffer://documents/interrupted.bin', `${dir}/`], {
    env: { COFFER_URL: proxy.url },
  })
  const run = finished(child)
  await proxy.paused
  // The CLI has 8 MiB to write: wait for its temporary file, then interrupt it.
  while ((await readdir(dir)).length === 0) await sleep(20)
  expect(await readdir(dir)).toEqual([expect.stringMatching(/^\.interrupted\.bin\.coffer-[0-9a-f]{12}$/)])
  child.kill('SIGINT')
  expect((await run).code).toBe(130)
  expect(await readdir(dir)).toEqual([])
})
