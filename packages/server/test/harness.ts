import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3'
import { createStorage, fsDriver, type StorageService } from '@coffer/core'
import type { Driver } from '@coffer/core/driver'
import type { S3DriverOptions } from '@coffer/driver-s3'
import { driverOn, type S3TestServer, startServer, testClient } from '@coffer/driver-s3/testing'
import type { Kysely } from 'kysely'
import pg from 'pg'
import { afterAll } from 'vitest'
import { loggerOptions } from '../src/http/request-log.ts'
import {
  ApiKeyStore,
  type App,
  type AppOptions,
  createApp,
  type Database,
  type JwtConfig,
  openDatabase,
} from '../src/index.ts'

/** The index databases every persistence test runs on. */
export const PERSISTENCES = ['sqlite', 'postgres'] as const
export type Persistence = (typeof PERSISTENCES)[number]

/** The machine's Postgres (trust auth); each run gets a database of its own, dropped afterwards. */
const POSTGRES_ADMIN_URL = process.env.COFFER_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

async function withAdminClient(run: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  await client.connect()
  try {
    await run(client)
  } finally {
    await client.end()
  }
}

async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `coffer_test_${randomBytes(6).toString('hex')}`
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`).then(() => undefined))
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  const drop = () =>
    withAdminClient((client) => client.query(`DROP DATABASE ${name} WITH (FORCE)`).then(() => undefined))
  return { url: url.toString(), drop }
}

/** The storage drivers the service runs on in tests: fs in the harness's temp dir, S3 on Ceph RGW. */
export const DRIVERS = ['fs', 's3'] as const
export type DriverName = (typeof DRIVERS)[number]

/**
 * The runs of a suite that stores objects: fs on both index databases, and S3 (a fresh bucket on a
 * Ceph RGW started once per test file) on SQLite only. The index layer does not depend on the
 * driver, and the fs runs already cover it on SQLite and on Postgres; S3 x Postgres would add time only.
 */
export const VARIANTS: { driver: DriverName; persistence: Persistence }[] = [
  ...PERSISTENCES.map((persistence) => ({ driver: 'fs' as const, persistence })),
  { driver: 's3', persistence: 'sqlite' },
]

export interface HarnessOptions {
  /** Limits of image renders (see `AppOptions.imageLimits`). */
  imageLimits?: AppOptions['imageLimits']
  /** What one site deploy may hold (see `AppOptions.siteLimits`). */
  siteLimits?: AppOptions['siteLimits']
  /** Bytes the variant cache may hold. */
  renderCacheBytes?: number
  jwt?: JwtConfig
  publicUrl?: string
  /** The content origin's public URL (signed and public URLs name it); default: where it listens. */
  contentUrl?: string
  /** Gives the fs driver presigned URLs of its own, as the S3 driver has. */
  presign?: Driver['presign']
  /** Signed GETs straight to the store when the driver signs its own (see `AppOptions`). */
  directSignedGets?: boolean
  /** Stores the objects with the S3 driver on a fresh bucket of this server instead of the fs driver. */
  s3?: S3TestServer
  /** Options of the S3 driver made on `s3` (its multipart strategy, …). */
  s3Options?: Partial<S3DriverOptions>
  /** Runs reconcile in the background this often (ms). */
  reconcileEvery?: number
  /** Removes resumable uploads idle this long (ms). */
  uploadExpiry?: number
  /** Limits on resumable uploads (staged bytes in all, open uploads per credential). */
  uploadLimits?: { totalBytes?: number; sessionsPerCredential?: number }
  /** How long API keys and bucket policies are reused (ms); the service's default when absent. */
  cacheTtl?: number
  /** Request bodies that stall fail after this long (ms). */
  bodyIdleTimeout?: number
  /** Uploads one credential may stream at once. */
  uploadsPerCredential?: number
  /** The service's CORS origins (`COFFER_CORS_ORIGINS`). */
  corsOrigins?: string[]
  /** Virtual-host style at the S3 endpoint (`COFFER_S3_DOMAIN`). */
  s3Domain?: string
  /** The region the S3 endpoint serves (`COFFER_S3_REGION`); default `us-east-1`. */
  s3Region?: string
}

/** A real service on an ephemeral port: fs driver in a temp dir (or S3), and SQLite or Postgres. */
export interface Harness {
  driver: DriverName
  url: string
  /** Where the content origin listens (`/public`, `/signed`). */
  contentUrl: string
  /** Where the S3 endpoint listens. */
  s3Url: string
  /** An admin API key (every bucket, every permission). */
  admin: string
  app: App
  db: Kysely<Database>
  /** The storage under the service, to act behind its back (as a crash or another writer would). */
  storage: StorageService
  /** Where the fs driver keeps the objects (fs only). */
  filesDir: string
  /**
   * Everything the storage holds for a bucket, leftovers included, to prove that a refused upload
   * stored nothing: on fs the files under the bucket's directory (temp files too); on S3 the keys
   * under `<bucket>/` and, as `(unfinished upload) <key>`, its multipart uploads not completed.
   */
  stored(bucket: string): Promise<string[]>
  /** Every log line the service wrote, as JSON text. */
  logs: string[]
  /** `fetch` against the service; `token` becomes `Authorization: Bearer <token>`. */
  fetch(path: string, init?: RequestInit & { token?: string }): Promise<Response>
  /** Creates an API key with these scopes and returns its token. */
  key(scopes: unknown[]): Promise<string>
  close(): Promise<void>
}

export async function startHarness(persistence: Persistence, options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'coffer-server-'))
  const postgres = persistence === 'postgres' ? await createPostgresDatabase() : undefined
  const db = await openDatabase(postgres ? { dataDir, databaseUrl: postgres.url } : { dataDir })
  const filesDir = join(dataDir, 'files')
  const s3 =
    options.s3 === undefined
      ? undefined
      : { server: options.s3, driver: await driverOn(options.s3, options.s3Options) }
  const driver = s3?.driver ?? fsDriver({ root: filesDir, fsync: false })
  const storage = createStorage({
    driver: options.presign ? { ...driver, presign: options.presign } : driver,
  })
  const admin = (await new ApiKeyStore(db).bootstrap(undefined)) as string
  const logs: string[] = []
  const logger = {
    ...(loggerOptions('info') as object),
    stream: { write: (line: string) => logs.push(line) },
  }
  const app = await createApp({
    storage,
    db,
    signingSecret: randomBytes(32).toString('hex'),
    logger,
    ...(options.jwt ? { jwt: options.jwt } : {}),
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    ...(options.directSignedGets ? { directSignedGets: true } : {}),
    ...(options.contentUrl ? { contentUrl: options.contentUrl } : {}),
    ...(options.reconcileEvery ? { reconcileEvery: options.reconcileEvery } : {}),
    ...(options.uploadExpiry ? { uploadExpiry: options.uploadExpiry } : {}),
    ...(options.uploadLimits ? { uploadLimits: options.uploadLimits } : {}),
    ...(options.cacheTtl === undefined ? {} : { cacheTtl: options.cacheTtl }),
    ...(options.bodyIdleTimeout === undefined ? {} : { bodyIdleTimeout: options.bodyIdleTimeout }),
    ...(options.uploadsPerCredential === undefined
      ? {}
      : { uploadsPerCredential: options.uploadsPerCredential }),
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
    ...(options.s3Domain ? { s3Domain: options.s3Domain } : {}),
    ...(options.s3Region ? { s3Region: options.s3Region } : {}),
    ...(options.imageLimits === undefined ? {} : { imageLimits: options.imageLimits }),
    ...(options.renderCacheBytes === undefined ? {} : { renderCacheBytes: options.renderCacheBytes }),
    ...(options.siteLimits === undefined ? {} : { siteLimits: options.siteLimits }),
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const contentUrl = await app.content.listen({ port: 0, host: '127.0.0.1' })
  const s3Url = await app.s3.listen({ port: 0, host: '127.0.0.1' })
  const harness: Harness = {
    driver: s3 ? 's3' : 'fs',
    url,
    contentUrl,
    s3Url,
    admin,
    app,
    db,
    storage,
    filesDir,
    stored: (bucket) =>
      s3 ? storedOnS3(s3.server, s3.driver.bucket, bucket) : filesUnder(join(filesDir, 'objects', bucket)),
    logs,
    fetch(path, init = {}) {
      const { token, ...rest } = init
      const headers = new Headers(rest.headers)
      if (token !== undefined) headers.set('authorization', `Bearer ${token}`)
      return fetch(url + path, { ...rest, headers })
    },
    async key(scopes) {
      const response = await harness.fetch('/v1/keys', {
        method: 'POST',
        token: admin,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'test key', scopes }),
      })
      if (response.status !== 201) throw new Error(`key creation failed: ${await response.text()}`)
      return ((await response.json()) as { token: string }).token
    },
    async close() {
      await app.close()
      await storage.close()
      await db.destroy()
      await postgres?.drop()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
  return harness
}

/** The keys under `<bucket>/` of an S3 bucket, then its unfinished multipart uploads under it. */
async function storedOnS3(server: S3TestServer, s3Bucket: string, bucket: string): Promise<string[]> {
  const client = testClient(server)
  try {
    const Prefix = `${bucket}/`
    const objects = await client.send(new ListObjectsV2Command({ Bucket: s3Bucket, Prefix }))
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: s3Bucket, Prefix }))
    return [
      ...(objects.Contents ?? []).map((o) => o.Key ?? ''),
      ...(uploads.Uploads ?? []).map((u) => `(unfinished upload) ${u.Key}`),
    ]
  } finally {
    client.destroy()
  }
}

/**
 * The storages of one test file, to run its harnesses on each driver. Call at the file's top level:
 * the first `ready('s3')` starts a Ceph RGW (about 2 s), which the file's S3 harnesses then share,
 * each on a fresh bucket, and which stops after the file's last test. If Ceph cannot start, with
 * CI=true `ready` throws, so the S3 tests fail; outside CI it warns loudly and returns false, and
 * `skipUnavailable` skips them.
 */
export function testStorages() {
  let ceph: Promise<S3TestServer | string> | undefined
  const started = () => {
    ceph ??= startServer('ceph')
    return ceph
  }
  afterAll(async () => {
    const server = await ceph?.catch(() => undefined)
    if (typeof server === 'object') await server.stop()
  })
  return {
    /** Whether harnesses can run on `driver` here (starts Ceph for `s3`, once). */
    async ready(driver: DriverName): Promise<boolean> {
      return driver === 'fs' || typeof (await started()) === 'object'
    },
    /** A harness on `driver`; call after `ready(driver)` answered true. */
    async start(
      driver: DriverName,
      persistence: Persistence,
      options: HarnessOptions = {},
    ): Promise<Harness> {
      if (driver === 'fs') return startHarness(persistence, options)
      const server = await started()
      if (typeof server === 'string') throw new Error(server)
      return startHarness(persistence, { ...options, s3: server })
    },
    /** For `beforeEach`: skips the test, with the reason, when `driver` could not run here. */
    async skipUnavailable(driver: DriverName, skip: (note: string) => void): Promise<void> {
      if (driver === 'fs') return
      const server = await started()
      if (typeof server === 'string') skip(server)
    },
  }
}

/** Every file under a directory, relative paths (to prove that nothing, not even a temp file, is left). */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
}

/** A JSON request body with its content type. */
export function json(
  body: unknown,
  init: RequestInit & { token?: string } = {},
): RequestInit & { token?: string } {
  return {
    method: 'POST',
    ...init,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }
}

/**
 * Sends bytes as they are over TCP (for requests `fetch` refuses to make) and reads the reply until
 * the server closes (send `Connection: close`). The socket is not half-closed: Node's server aborts a
 * request whose client has ended its side.
 */
export async function rawRequest(
  baseUrl: string,
  request: string,
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(baseUrl)
  const { connect } = await import('node:net')
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request))
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1')
      resolve({ status: Number(text.split(' ')[1]), text })
    })
  })
}

/** A PNG signature, enough for the core to recognise image/png from the first bytes. */
export const PNG_HEAD = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')

/** A body that streams `total` bytes in 64 KiB chunks, with no Content-Length (chunked). */
export function streamOf(head: Buffer, total: number): ReadableStream<Uint8Array> {
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close()
      const chunk =
        sent === 0 ? Buffer.concat([head, Buffer.alloc(64 * 1024 - head.length)]) : Buffer.alloc(64 * 1024)
      sent += chunk.length
      controller.enqueue(chunk)
    },
  })
}

/** Waits until the service streams `count` uploads (its own `coffer_uploads_in_flight` gauge). */
export async function uploadsInFlight(h: Harness, count: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const text = await (await h.fetch('/metrics', { token: h.admin })).text()
    if (new RegExp(`^coffer_uploads_in_flight ${count}$`, 'm').test(text)) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`never saw ${count} uploads in flight`)
}
