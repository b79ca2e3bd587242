import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ADMIN_KEY, type CofferProcess, startCoffer } from './coffer-process.ts'
import type { Secrets } from './invariants.ts'
import type { Step } from './plan.ts'
import { type S3Credentials, type S3Signing, signS3 } from './s3-signing.ts'
import { send, type WireRequest } from './wire.ts'

/** The buckets every case starts with: no policy, public, quota and size limits, allowed types. */
export const FIXTURE_BUCKETS = [
  { name: 'fz-open' },
  { name: 'fz-public', public: true },
  { name: 'fz-quota', quotaBytes: 8192, quotaObjects: 30, maxFileSize: 4096 },
  { name: 'fz-types', allowedTypes: ['image/*', 'text/plain'], maxFileSize: 65536 },
]

/** The API keys of the fixtures by role; `admin` is `COFFER_ADMIN_KEY`. */
const ROLES: Record<string, unknown[]> = {
  scoped: [{ bucket: '*', prefix: 'u1/', permissions: ['read', 'write', 'delete', 'list', 'sign'] }],
  reader: [{ bucket: 'fz-open', permissions: ['read', 'list'] }],
  'quota-admin': [{ bucket: 'fz-quota', permissions: ['admin'] }],
  writer: [
    { bucket: 'fz-types', permissions: ['read', 'write', 'delete', 'list', 'sign'] },
    { bucket: 'fz-quota', permissions: ['read', 'write'] },
  ],
}

/** The S3 credentials of the fixtures by role: an admin, a key scoped to `u1/`, a reader of one bucket. */
const S3_ROLES: Record<string, unknown[]> = {
  admin: [{ bucket: '*', permissions: ['admin'] }],
  scoped: ROLES.scoped ?? [],
  reader: ROLES.reader ?? [],
}

const SEED_OBJECTS = [
  'fz-open/u1/hello.txt',
  'fz-public/u1/hello.txt',
  'fz-public/page.html',
  'fz-types/u1/a.txt',
]

/** A running service with its fixtures: what the cases talk to, and the checks between them. */
export class FuzzTarget {
  readonly tokens = new Map<string, string>([['admin', ADMIN_KEY]])
  /** The S3 credentials of the fixture keys made with `s3: true`, by role. */
  readonly s3Keys = new Map<string, S3Credentials>()
  readonly coffer: CofferProcess
  #before = ''

  private constructor(coffer: CofferProcess) {
    this.coffer = coffer
  }

  static async start(): Promise<FuzzTarget> {
    const target = new FuzzTarget(await startCoffer())
    // A service whose fixtures fail is stopped: no run leaves a process behind.
    await target.#fixtures().catch(async (error: unknown) => {
      await target.coffer.stop()
      throw error
    })
    target.#before = target.outside()
    return target
  }

  get secrets(): Secrets {
    return {
      adminKey: ADMIN_KEY,
      signingSecret: this.coffer.signingSecret,
      root: this.coffer.root,
      s3Secrets: [...this.s3Keys.values()].map((key) => key.secretAccessKey),
    }
  }

  /** Sends a request to the service (127.0.0.1 only), to the listener it names. */
  send(request: WireRequest, timeoutMs?: number) {
    return send(request, request.listener === 's3' ? this.coffer.s3Port : this.coffer.port, timeoutMs)
  }

  /** The step signed for the S3 endpoint as `signing` says, with the fixture credentials it names. */
  signS3(step: Step, signing: S3Signing): Promise<Step> {
    return signS3(step, signing, this.s3Keys.get(signing.as), this.coffer.s3Port)
  }

  /** An ordinary JSON request as the admin; throws unless it answers `expect`. */
  async admin(method: string, target: string, body: unknown, expect: number): Promise<unknown> {
    const headers: Array<[string, string]> = [['Authorization', `Bearer ${ADMIN_KEY}`]]
    if (body !== undefined) headers.push(['Content-Type', 'application/json'])
    const request: WireRequest = { method, target, headers, transport: 'http' }
    if (body !== undefined) request.body = Buffer.from(JSON.stringify(body))
    const { response, error } = await this.send(request, 30_000)
    const text = response?.body.toString('utf8') ?? ''
    if (response?.status !== expect)
      throw new Error(`${method} ${target}: ${response?.status ?? error} ${text.slice(0, 300)}`)
    return text === '' ? undefined : JSON.parse(text)
  }

  async #fixtures(): Promise<void> {
    for (const bucket of FIXTURE_BUCKETS) await this.admin('POST', '/v1/buckets', bucket, 201)
    for (const [role, scopes] of Object.entries(ROLES)) {
      const created = (await this.admin('POST', '/v1/keys', { name: `fuzz ${role}`, scopes }, 201)) as {
        token: string
      }
      this.tokens.set(role, created.token)
    }
    for (const [role, scopes] of Object.entries(S3_ROLES)) {
      const created = (await this.admin(
        'POST',
        '/v1/keys',
        { name: `fuzz s3 ${role}`, scopes, s3: true },
        201,
      )) as {
        s3: S3Credentials
      }
      this.s3Keys.set(role, created.s3)
      this.coffer.hide(created.s3.secretAccessKey)
    }
    for (const path of SEED_OBJECTS) {
      const [bucket, ...key] = path.split('/')
      const headers: Array<[string, string]> = [
        ['Authorization', `Bearer ${ADMIN_KEY}`],
        ['Content-Type', 'text/plain'],
      ]
      const request: WireRequest = {
        method: 'PUT',
        target: `/v1/buckets/${bucket}/objects/${key.join('/')}`,
        headers,
        body: Buffer.from('hello\n'),
        transport: 'http',
      }
      const { response } = await this.send(request)
      if (response?.status !== 200) throw new Error(`seeding ${path}: ${response?.status}`)
    }
  }

  /** Whether the process runs and answers `/healthz`; why not, when it does not. */
  async alive(): Promise<string | undefined> {
    if (this.coffer.exitCode() !== undefined) return `the process exited with ${this.coffer.exitCode()}`
    const { response, error } = await this.send(
      { method: 'GET', target: '/healthz', headers: [], transport: 'http' },
      15_000,
    )
    if (response?.status === 200) return undefined
    // An exit shows up a moment after its last answer: give it that moment, then say which it was.
    await new Promise((resolve) => setTimeout(resolve, 200))
    if (this.coffer.exitCode() !== undefined) return `the process exited with ${this.coffer.exitCode()}`
    return `/healthz answered ${response?.status ?? error}`
  }

  /**
   * The cause the service logged for a failed (5xx) request sent after `seen` such lines: name, code
   * and message of each error of the chain. Waits a moment for the line, which is written as the
   * response ends; undefined when none comes.
   */
  async failureCause(seen: number): Promise<string | undefined> {
    for (let waited = 0; waited < 2000; waited += 50) {
      const { count, last } = this.coffer.failedRequests()
      if (count > seen && last !== undefined) {
        try {
          const entry = JSON.parse(last) as { cause?: unknown; err?: unknown; code?: unknown }
          return JSON.stringify(entry.cause ?? entry.err ?? entry.code ?? null).replaceAll(
            this.coffer.root,
            '<root>',
          )
        } catch {
          return last.slice(0, 300)
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    return undefined
  }

  /** Every file outside the data dir (the sentinel dir beside it, the working dir), with sizes and times. */
  outside(): string {
    const root = this.coffer.root
    // The data dir is not walked: the service removes folders in it while a walk would read them.
    const paths = readdirSync(root, { withFileTypes: true })
      .filter((top) => top.name !== 'data')
      .flatMap((top) => {
        const path = join(root, top.name)
        if (!top.isDirectory()) return [path]
        const inner = readdirSync(path, { recursive: true, withFileTypes: true })
        return [path, ...inner.map((e) => join(e.parentPath, e.name))]
      })
    return paths
      .sort()
      .map((path) => {
        const s = statSync(path)
        return `${path.slice(root.length)} ${s.size} ${s.mtimeMs}`
      })
      .join('\n')
  }

  /** What changed outside the data dir since the service started; empty when nothing did. */
  writtenOutside(): string {
    const now = this.outside()
    if (now === this.#before) return ''
    const before = new Set(this.#before.split('\n'))
    const after = new Set(now.split('\n'))
    const added = [...after].filter((line) => !before.has(line)).map((line) => `+${line}`)
    const removed = [...before].filter((line) => !after.has(line)).map((line) => `-${line}`)
    return [...added, ...removed].join(', ')
  }
}
