import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { START_FLAGS } from '../../src/service/heap-tuning.ts'
import { MAIN } from '../spawned-service.ts'

/** The S3 endpoint's domain for virtual-host style requests (never resolved: Host is sent as is). */
export const S3_DOMAIN = 's3.fuzz.test'

/** The admin key the fuzzed service starts with; a response or log that shows it leaks it. */
export const ADMIN_KEY = 'fuzz-admin-key-0123456789abcdefghijklmnopqrstuvwxyz'

/** A SigV4 signature (a header's, a presigned URL's, an aws-chunked chunk's, a POST form's) in a log. */
const SIGNATURE = /(signature[=:"]+|signature%3D)[0-9a-f]{64}/i

/** The last bytes of a stream, so that a long run keeps bounded logs; remembers any secret it saw. */
class Tail {
  #text = ''
  /** Secrets the stream must never show. */
  readonly secrets: string[] = [ADMIN_KEY]
  leaked: string | undefined
  readonly limit: number
  constructor(limit: number) {
    this.limit = limit
  }
  push(chunk: Buffer): void {
    const text = chunk.toString('utf8')
    // The window reaches back past the previous chunk's end, so a secret split by a chunk is seen.
    const window = this.#text.slice(-200) + text
    this.leaked ??= this.secrets.find((secret) => window.includes(secret))
    if (SIGNATURE.test(window)) this.leaked ??= 'a request signature'
    this.#text = (this.#text + text).slice(-this.limit)
  }
  get text(): string {
    return this.#text
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits (at most 30 s) for the line that says where the service listens. */
async function listeningUrl(out: Tail, exited: Promise<unknown>, log: () => string): Promise<string> {
  for (let waited = 0; waited < 30_000; waited += 50) {
    const match = /Coffer listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out.text)
    if (match?.[1]) return match[1]
    const ended = await Promise.race([exited.then(() => true), sleep(50).then(() => false)])
    if (ended) throw new Error(`Coffer exited at start: ${log()}`)
  }
  throw new Error(`Coffer did not start: ${log()}`)
}

/**
 * A real Coffer process (fs driver, SQLite) as `npm start` runs it, in a temp root of its own:
 * `<root>/data` is its data dir, `<root>/cwd` its working directory, `<root>/sentinel` a directory
 * beside the data dir that must never change. Only `<root>/data` may be written by the service.
 */
export interface CofferProcess {
  root: string
  dataDir: string
  url: string
  port: number
  /** The S3 endpoint's port. */
  s3Port: number
  /** The signing secret the service generated in its data dir. */
  signingSecret: string
  child: ChildProcessWithoutNullStreams
  /** The exit code, once the process has ended. */
  exitCode(): number | null | undefined
  stdout(): string
  stderr(): string
  /** The service's log lines of failed (5xx) requests so far: how many, and the last one. */
  failedRequests(): { count: number; last: string | undefined }
  /** Whether the log holds what it must never show: the admin key, the signing secret, an S3 secret, a signature. */
  logLeaks(): string | undefined
  /** Adds a secret the log must never show (an S3 secret access key issued after the start). */
  hide(secret: string): void
  stop(): Promise<void>
}

/** Starts Coffer on an ephemeral port of 127.0.0.1 and waits for the line that says where it listens. */
export async function startCoffer(): Promise<CofferProcess> {
  const root = await mkdtemp(join(tmpdir(), 'coffer-fuzz-'))
  const dataDir = join(root, 'data')
  for (const dir of ['cwd', 'sentinel', 'sentinel/inner', 'data']) await mkdir(join(root, dir))
  await writeFile(join(root, 'sentinel', 'canary.txt'), 'the fuzzer checks that nothing changes here\n')
  await writeFile(join(root, 'sentinel', 'inner', 'canary.txt'), 'nor here\n')
  const child = spawn(process.execPath, [...START_FLAGS, MAIN], {
    cwd: join(root, 'cwd'),
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      COFFER_DRIVER: 'fs',
      COFFER_DATA_DIR: dataDir,
      COFFER_ADMIN_KEY: ADMIN_KEY,
      COFFER_LOG_LEVEL: 'info',
      // Virtual-host style S3 requests name `<bucket>.s3.fuzz.test` in their Host header.
      COFFER_S3_DOMAIN: S3_DOMAIN,
    },
  })
  const out = new Tail(256 * 1024)
  const err = new Tail(64 * 1024)
  const failed = { count: 0, namedAt: -1, last: undefined as string | undefined, partial: '' }
  child.stdout.on('data', (chunk: Buffer) => {
    out.push(chunk)
    const lines = (failed.partial + chunk.toString('utf8')).split('\n')
    failed.partial = lines.pop() ?? ''
    for (const line of lines) {
      // `request failed` (the API) and `s3 request failed` (the S3 endpoint).
      if (!line.includes('request failed"')) continue
      failed.count += 1
      // One failure may log twice (the S3 endpoint's line with the error, then the request's line
      // without it): the line that names the error is the one to keep.
      const named = /"(err|cause)":/.test(line)
      if (named || failed.namedAt !== failed.count - 1) failed.last = line
      if (named) failed.namedAt = failed.count
    }
  })
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
  let code: number | null | undefined
  // The service does not outlive the fuzzer, however the fuzzer ends.
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const exited = once(child, 'exit').then(([c]) => {
    code = c as number | null
    process.off('exit', killOnExit)
  })
  const url = await listeningUrl(out, exited, () => `${out.text} ${err.text}`).catch(
    async (error: unknown) => {
      child.kill('SIGKILL')
      await rm(root, { recursive: true, force: true })
      throw error
    },
  )
  const s3Url = /S3 endpoint \(path-style, SigV4\) at (http:\/\/127\.0\.0\.1:\d+)/.exec(out.text)?.[1]
  if (s3Url === undefined) {
    child.kill('SIGKILL')
    throw new Error(`Coffer did not say where its S3 endpoint listens: ${out.text}`)
  }
  const signingSecret = (await readFile(join(dataDir, 'signing-secret'), 'utf8')).trim()
  out.secrets.push(signingSecret)
  err.secrets.push(signingSecret)
  return {
    root,
    dataDir,
    url,
    port: Number(new URL(url).port),
    s3Port: Number(new URL(s3Url).port),
    signingSecret,
    child,
    exitCode: () => code,
    stdout: () => out.text,
    failedRequests: () => ({ count: failed.count, last: failed.last }),
    stderr: () => err.text,
    logLeaks() {
      const leaked = out.leaked ?? err.leaked
      if (leaked === undefined) return undefined
      if (leaked === ADMIN_KEY) return 'the admin key'
      if (leaked === 'a request signature') return leaked
      return leaked === signingSecret ? 'the signing secret' : 'an S3 secret access key'
    },
    hide(secret) {
      out.secrets.push(secret)
      err.secrets.push(secret)
    },
    async stop() {
      if (code === undefined) {
        child.kill('SIGTERM')
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(killer)
      }
      await rm(root, { recursive: true, force: true })
    },
  }
}
