import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStorage, type Driver, fsDriver } from '@coffer/core'
import type { Kysely } from 'kysely'
import pg from 'pg'
import { loggerOptions } from '../src/http/request-log.ts'
import {
  ApiKeyStore,
  type App,
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

export interface HarnessOptions {
  jwt?: JwtConfig
  publicUrl?: string
  /** Gives the fs driver presigned URLs of its own, as the S3 driver has. */
  presign?: Driver['presign']
}

/** A real service on an ephemeral port: fs driver in a temp dir, and SQLite or Postgres. */
export interface Harness {
  url: string
  /** An admin API key (every bucket, every permission). */
  admin: string
  app: App
  db: Kysely<Database>
  /** Where the fs driver keeps the objects. */
  filesDir: string
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
  const driver = fsDriver({ root: filesDir, fsync: false })
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
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const harness: Harness = {
    url,
    admin,
    app,
    db,
    filesDir,
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
      await db.destroy()
      await postgres?.drop()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
  return harness
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
