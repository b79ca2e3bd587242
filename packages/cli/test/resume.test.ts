import { randomBytes } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { finished, sha256, useCli } from './cli-fixture.ts'
import { type PausingProxy, startPausingProxy } from './pausing-proxy.ts'

const cli = useCli()
const MiB = 1024 * 1024
let proxy: PausingProxy | undefined
afterAll(() => proxy?.close())

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
