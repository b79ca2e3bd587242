import { spawn } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from '../../server/test/harness.ts'

const MAIN = join(import.meta.dirname, '../src/main.ts')

interface Run {
  code: number | null
  stdout: string
  stderr: string
  bytes: Buffer
}

let harness: Harness
let dir: string

/** Runs the real CLI as a child process against the harness's service, stdin closed (no TTY). */
function coffer(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { ...process.env, COFFER_URL: harness.url, COFFER_KEY: harness.admin, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      const bytes = Buffer.concat(out)
      resolve({ code, stdout: bytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), bytes })
    })
  })
}

async function put(bucket: string, key: string, body: string): Promise<void> {
  const path = `/v1/buckets/${bucket}/objects/${key.split('/').map(encodeURIComponent).join('/')}`
  const response = await harness.fetch(path, { method: 'PUT', body, token: harness.admin })
  expect(response.status).toBeLessThan(300)
}

beforeAll(async () => {
  harness = await startHarness('sqlite')
  dir = await mkdtemp(join(tmpdir(), 'coffer-cli-'))
  await put('documents', 'docs/a.txt', 'alpha')
  await put('documents', 'docs/sub/b.txt', 'beta')
})
afterAll(() => harness?.close())

describe('coffer', () => {
  it('lists buckets and prefixes, as text and JSON', async () => {
    const buckets = await coffer(['ls'])
    expect(buckets.code).toBe(0)
    expect(buckets.stdout).toContain('documents')
    const level = await coffer(['ls', 'coffer://documents/docs/'])
    expect(level.code).toBe(0)
    expect(level.stdout).toContain('docs/a.txt')
    expect(level.stdout).toContain('docs/sub/')
    expect(level.stdout).not.toContain('docs/sub/b.txt')
    const all = JSON.parse((await coffer(['ls', '-r', '--json', 'coffer://documents/docs/'])).stdout)
    expect(all.objects.map((o: { key: string }) => o.key)).toEqual(['docs/a.txt', 'docs/sub/b.txt'])
  })

  it('copies a file up and down with a unicode name and exact bytes, and within a bucket', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0x80])
    const local = join(dir, 'résumé ✓.bin')
    await writeFile(local, bytes)
    expect((await coffer(['cp', local, 'coffer://documents/up/'])).code).toBe(0)
    const back = join(dir, 'back.bin')
    const down = await coffer(['cp', 'coffer://documents/up/résumé ✓.bin', back])
    expect(down.code).toBe(0)
    expect(await readFile(back)).toEqual(bytes)
    expect(
      (await coffer(['cp', 'coffer://documents/up/résumé ✓.bin', 'coffer://documents/copy.bin'])).code,
    ).toBe(0)
    expect((await coffer(['cat', 'coffer://documents/copy.bin'])).bytes).toEqual(bytes)
  })

  it('cats and stats an object', async () => {
    expect((await coffer(['cat', 'coffer://documents/docs/a.txt'])).stdout).toBe('alpha')
    const stat = await coffer(['stat', '--json', 'coffer://documents/docs/a.txt'])
    expect(stat.code).toBe(0)
    expect(JSON.parse(stat.stdout)).toMatchObject({
      key: 'docs/a.txt',
      size: 5,
      contentType: expect.any(String),
    })
  })

  it('removes one object, and a prefix only with --force when stdin is not a TTY', async () => {
    await put('documents', 'gone/x.txt', 'x')
    await put('documents', 'gone/y/z.txt', 'z')
    await put('documents', 'one.txt', '1')
    expect((await coffer(['rm', 'coffer://documents/one.txt'])).code).toBe(0)
    expect((await coffer(['stat', 'coffer://documents/one.txt'])).code).toBe(2)
    const refused = await coffer(['rm', '-r', 'coffer://documents/gone/'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^coffer: .*--force/)
    expect((await coffer(['rm', '-r', '--force', 'coffer://documents/gone/'])).code).toBe(0)
    expect(
      JSON.parse((await coffer(['ls', '-r', '--json', 'coffer://documents/gone/'])).stdout).objects,
    ).toEqual([])
  })

  it('presigns a URL that fetches the object', async () => {
    const run = await coffer(['presign', '--expires', '15m', 'coffer://documents/docs/a.txt'])
    expect(run.code).toBe(0)
    const response = await fetch(run.stdout.trim())
    expect(await response.text()).toBe('alpha')
  })

  it('exits with a code per error family, one line on stderr', async () => {
    const missing = await coffer(['cat', 'coffer://documents/nope.txt'])
    expect(missing.code).toBe(2)
    expect(missing.stderr.trim().split('\n')).toHaveLength(1)
    expect(missing.stderr).toMatch(/^coffer: /)
    expect((await coffer(['ls'], { COFFER_KEY: 'cfr_bad' })).code).toBe(3)
    const created = await harness.fetch('/v1/buckets', {
      method: 'POST',
      token: harness.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'tiny', maxFileSize: 4 }),
    })
    expect(created.status).toBeLessThan(300)
    const big = join(dir, 'big.txt')
    await writeFile(big, 'more than four bytes')
    expect((await coffer(['cp', big, 'coffer://tiny/big.txt'])).code).toBe(4)
    expect((await coffer(['cp', 'only-one-arg'])).code).toBe(1)
    expect((await coffer(['frobnicate'])).code).toBe(1)
    expect((await coffer(['--help'])).stdout).toContain('Exit codes')
  })
})
