import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect } from 'vitest'
import { type Harness, startHarness } from '../../server/test/harness.ts'

/** The CLI's entry, run from its source (Node strips the types). */
export const MAIN = join(import.meta.dirname, '../src/main.ts')

/** A finished run of the CLI. */
export interface Run {
  code: number | null
  stdout: string
  stderr: string
  bytes: Buffer
}

/** Options of one run. */
export interface RunOptions {
  /** Variables added to (or, as undefined, removed from) the fixture's environment. */
  env?: Record<string, string | undefined>
  /** Bytes written to stdin, then closed; without it stdin is closed at once (not a TTY). */
  input?: string
}

/** A real service and a way to run the real CLI against it, with config and state in a temp dir. */
export interface CliFixture {
  harness: Harness
  /** A temp dir for the test's files. */
  dir: string
  /** The environment every run gets: the service, the admin key, XDG dirs under `dir`. */
  env: { COFFER_URL: string; COFFER_KEY: string; XDG_CONFIG_HOME: string; XDG_STATE_HOME: string }
  coffer(args: string[], options?: RunOptions): Promise<Run>
  /** Starts the CLI and returns the process, for tests that stop it themselves. */
  start(args: string[], options?: RunOptions): ChildProcess
  /** Stores an object through the API. */
  put(bucket: string, key: string, body: string | Buffer): Promise<void>
  /** An object's bytes, or undefined when it does not exist. */
  get(bucket: string, key: string): Promise<Buffer | undefined>
  /** Every key under a prefix (through the API). */
  keys(bucket: string, prefix: string): Promise<string[]>
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

const objectPath = (bucket: string, key: string) =>
  `/v1/buckets/${bucket}/objects/${key.split('/').map(encodeURIComponent).join('/')}`

/** Collects a child's output; resolves when it exits. */
export function finished(child: ChildProcess): Promise<Run> {
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk))
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      const bytes = Buffer.concat(out)
      resolve({ code, stdout: bytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), bytes })
    })
  })
}

/** A fixture for a test file: the service starts before its tests and stops after them. */
export function useCli(): CliFixture {
  const fixture = {} as CliFixture
  beforeAll(async () => {
    const harness = await startHarness('sqlite')
    const dir = await mkdtemp(join(tmpdir(), 'coffer-cli-'))
    const env = {
      COFFER_URL: harness.url,
      COFFER_KEY: harness.admin,
      XDG_CONFIG_HOME: join(dir, '.config'),
      XDG_STATE_HOME: join(dir, '.state'),
    }
    // Node's compile cache keeps the type-stripped and compiled modules between the many runs.
    const cache = { NODE_COMPILE_CACHE: join(dir, '.node-compile-cache') }
    const environment = (extra: RunOptions['env'] = {}) => {
      const merged: Record<string, string | undefined> = { ...process.env, ...cache, ...env, ...extra }
      for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name]
      return merged
    }
    const start = (args: string[], options: RunOptions = {}) => {
      const child = spawn(process.execPath, [MAIN, ...args], {
        env: environment(options.env),
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      })
      if (options.input !== undefined) child.stdin?.end(options.input)
      return child
    }
    Object.assign(fixture, {
      harness,
      dir,
      env,
      start,
      coffer: (args: string[], options?: RunOptions) => finished(start(args, options)),
      async put(bucket: string, key: string, body: string | Buffer) {
        const init = {
          method: 'PUT',
          body: typeof body === 'string' ? body : new Uint8Array(body),
          token: harness.admin,
        }
        expect((await harness.fetch(objectPath(bucket, key), init)).status).toBeLessThan(300)
      },
      async get(bucket: string, key: string) {
        const response = await harness.fetch(objectPath(bucket, key), { token: harness.admin })
        if (response.status === 404) return undefined
        expect(response.status).toBe(200)
        return Buffer.from(await response.arrayBuffer())
      },
      async keys(bucket: string, prefix: string) {
        const query = new URLSearchParams({ prefix })
        const response = await harness.fetch(`/v1/buckets/${bucket}/objects?${query}`, {
          token: harness.admin,
        })
        const page = (await response.json()) as { objects: { key: string }[] }
        return page.objects.map((o) => o.key)
      },
    })
  })
  afterAll(async () => {
    await fixture.harness?.close()
    if (fixture.dir) await rm(fixture.dir, { recursive: true, force: true })
  })
  return fixture
}
