import { spawn } from 'node:child_process'
import { mkdtemp, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { START_FLAGS } from '@coffer/server/heap-tuning'
import { describe, expect, it } from 'vitest'
import { finished, MAIN, useCli } from './cli-fixture.ts'

const cli = useCli()

describe('buckets', () => {
  it('creates, lists, updates and deletes a bucket with its policy', async () => {
    const create = ['buckets', 'create', 'photos', '--public', '--max-file-size', '5MiB']
    const created = await cli.coffer([...create, '--allowed-types', 'image/*,application/pdf', '--json'])
    expect(created.code).toBe(0)
    expect(JSON.parse(created.stdout)).toMatchObject({
      name: 'photos',
      public: true,
      maxFileSize: 5 * 1024 * 1024,
      allowedTypes: ['image/*', 'application/pdf'],
    })
    const listed = JSON.parse((await cli.coffer(['buckets', 'ls', '--json'])).stdout)
    expect(listed.map((b: { name: string }) => b.name)).toContain('photos')
    const table = (await cli.coffer(['buckets', 'ls'])).stdout
    expect(table).toMatch(/^photos\s+public\s+5\.0 MiB\s+image\/\*,application\/pdf\s+-\s+-$/m)

    const update = [
      'buckets',
      'update',
      'photos',
      '--no-public',
      '--max-file-size',
      'none',
      '--quota-bytes',
      '1GiB',
      '--cors-origins',
      'https://app.example.com,http://localhost:5173',
    ]
    const updated = JSON.parse((await cli.coffer([...update, '--quota-objects', '100', '--json'])).stdout)
    expect(updated).toMatchObject({ name: 'photos', public: false, quotaBytes: 1024 ** 3, quotaObjects: 100 })
    expect(updated.cors).toEqual({ origins: ['https://app.example.com', 'http://localhost:5173'] })
    expect(updated.maxFileSize).toBeUndefined()
    expect((await cli.coffer(['buckets', 'ls'])).stdout).toMatch(
      /^photos\s+private\s+-\s+.*1\.0 GiB, 100 objects\s+https:\/\/app\.example\.com,http:\/\/localhost:5173$/m,
    )
    const cleared = await cli.coffer(['buckets', 'update', 'photos', '--cors-origins', 'none', '--json'])
    expect(JSON.parse(cleared.stdout).cors).toBeUndefined()
    expect((await cli.coffer(['buckets', 'update', 'photos'])).code).toBe(1)

    expect((await cli.coffer(['buckets', 'rm', 'photos'])).code).toBe(0)
    const after = JSON.parse((await cli.coffer(['buckets', 'ls', '--json'])).stdout)
    expect(after.map((b: { name: string }) => b.name)).not.toContain('photos')
  })
})

describe('keys', () => {
  it('creates a scoped key that works within its scope only, lists it and revokes it', async () => {
    await cli.put('documents', 'reports/q1.txt', 'q1')
    await cli.put('documents', 'private/secret.txt', 'secret')
    const created = await cli.coffer([
      'keys',
      'create',
      'ci',
      '--scope',
      'documents/reports/:read,list',
      '--json',
    ])
    expect(created.code).toBe(0)
    const { key, token } = JSON.parse(created.stdout) as { key: { id: string }; token: string }
    expect(key.id).toEqual(expect.any(String))
    const asKey = { env: { COFFER_KEY: token } }
    expect((await cli.coffer(['cat', 'coffer://documents/reports/q1.txt'], asKey)).stdout).toBe('q1')
    expect((await cli.coffer(['cat', 'coffer://documents/private/secret.txt'], asKey)).code).toBe(3)

    const listed = JSON.parse((await cli.coffer(['keys', 'ls', '--json'])).stdout) as {
      id: string
      name: string
    }[]
    expect(listed.find((k) => k.id === key.id)).toMatchObject({ name: 'ci' })
    const text = (await cli.coffer(['keys', 'ls'])).stdout
    expect(text).toMatch(new RegExp(`^${key.id}\\s+ci\\s+documents/reports/:read,list\\s`, 'm'))

    expect((await cli.coffer(['keys', 'revoke', key.id])).code).toBe(0)
    expect((await cli.coffer(['cat', 'coffer://documents/reports/q1.txt'], asKey)).code).toBe(3)
  })

  it('prints a plain token without --json, usable at once', async () => {
    const created = await cli.coffer(['keys', 'create', 'plain', '--scope', '*:list', '--expires', '1h'])
    expect(created.code).toBe(0)
    const token = created.stdout.trim()
    expect(token).toMatch(/^cfr_/)
    expect((await cli.coffer(['ls'], { env: { COFFER_KEY: token } })).stdout).toContain('documents')
  })
})

describe('usage and reconcile', () => {
  it('prints the usage of the service and of a bucket', async ({ skip }) => {
    const probe = await cli.harness.fetch('/v1/usage', { token: cli.harness.admin })
    if (probe.status === 404) skip('GET /v1/usage answers 404: the usage routes are not on this server yet')
    await cli.put('exports', 'usage/one.txt', 'twelve bytes')
    const all = await cli.coffer(['usage', '--json'])
    expect(all.code).toBe(0)
    expect(JSON.parse(all.stdout)).toEqual(expect.any(Object))
    const bucket = await cli.coffer(['usage', 'exports', '--json'])
    expect(bucket.code).toBe(0)
    const report = JSON.parse(bucket.stdout)
    expect(report).toMatchObject({ bytes: expect.any(Number), objects: expect.any(Number) })
    expect(report.objects).toBeGreaterThanOrEqual(1)
    const text = await cli.coffer(['usage', 'exports'])
    expect(text.stdout).toMatch(/^objects\s+\d+$/m)
  })

  it('runs the reconcile job and prints its report', async ({ skip }) => {
    const probe = await cli.harness.fetch('/v1/reconcile', {
      method: 'POST',
      token: cli.harness.admin,
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    if (probe.status === 404)
      skip('POST /v1/reconcile answers 404: the reconcile route is not on this server yet')
    const run = await cli.coffer(['reconcile', '--json'])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual(expect.any(Object))
  })
})

describe('login and profiles', () => {
  const noEnv = { COFFER_URL: undefined, COFFER_KEY: undefined }

  it('saves a checked key as a 0600 profile that later commands use; the environment overrides it', async () => {
    const login = await cli.coffer(['login', '--profile', 'work'], {
      env: { COFFER_KEY: undefined },
      input: `${cli.harness.admin}\n`,
    })
    expect(login.code).toBe(0)
    const path = join(cli.env.XDG_CONFIG_HOME, 'coffer', 'work.json')
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ url: cli.harness.url, key: cli.harness.admin })

    expect((await cli.coffer(['ls', '--profile', 'work'], { env: noEnv })).stdout).toContain('documents')
    const profileEnv = { ...noEnv, COFFER_PROFILE: 'work' }
    expect((await cli.coffer(['ls'], { env: profileEnv })).code).toBe(0)
    expect((await cli.coffer(['ls'], { env: { ...profileEnv, COFFER_KEY: 'cfr_bad' } })).code).toBe(3)
    // No profile of that name and no key: the first-run hint (exit 3), not the default address's ECONNREFUSED.
    const none = await cli.coffer(['ls'], { env: { ...profileEnv, COFFER_PROFILE: 'none' } })
    expect(none.code).toBe(3)
    expect(none.stderr).toMatch(/^coffer: not logged in: run `coffer login --url URL` or set COFFER_KEY/)
  })

  it('refuses a key the service refuses, and writes nothing', async () => {
    const login = await cli.coffer(['login', '--profile', 'bad', '--key', 'cfr_bad'])
    expect(login.code).toBe(3)
    await expect(stat(join(cli.env.XDG_CONFIG_HOME, 'coffer', 'bad.json'))).rejects.toThrow()
  })
})

describe('serve', () => {
  it('starts the service as npm start does and stops on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(cli.dir, 'serve-'))
    const adminKey = `serve-test-${'k'.repeat(32)}`
    const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--data-dir', dataDir], {
      env: { ...process.env, COFFER_ADMIN_KEY: adminKey, COFFER_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const run = finished(child)
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk
        const match = /Coffer listening at (http:\/\/[\d.:]+)/.exec(out)
        if (match?.[1]) resolve(match[1])
      })
      child.once('exit', (code) => reject(new Error(`coffer serve exited with ${code}: ${out}`)))
    })
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
    // The service runs in a child of `coffer serve`, with the V8 flags `npm start` gives it.
    const pid = child.pid as number
    const [service] = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(' ')
    const argv = (await readFile(`/proc/${service}/cmdline`, 'utf8')).split('\0')
    const script = argv.findIndex((arg) => arg.endsWith('main.js'))
    expect(script).toBeGreaterThan(0)
    // Before the script, where Node takes them as its own options.
    expect(argv.slice(1, script)).toEqual(expect.arrayContaining(START_FLAGS))
    const ls = await cli.coffer(['ls', '--json'], { env: { COFFER_URL: url, COFFER_KEY: adminKey } })
    expect(JSON.parse(ls.stdout).map((b: { name: string }) => b.name)).toContain('documents')
    child.kill('SIGTERM')
    expect((await run).code).toBe(0)
  })
})
