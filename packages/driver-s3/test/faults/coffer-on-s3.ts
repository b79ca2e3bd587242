import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3'
import { createStorage } from '@coffer/core'
import { createBucket, type S3TestServer, testClient } from '@coffer/driver-s3/testing'
import type { Kysely } from 'kysely'
import { ApiKeyStore, type App, createApp, type Database, openDatabase } from '../../../server/src/index.ts'
import { type S3Driver, type S3DriverOptions, s3Driver } from '../../src/index.ts'
import { FaultProxy } from './fault-proxy.ts'

/**
 * Timeouts of the driver under test: short, so that a fault costs a request seconds. The bound a
 * request of the service must stay under is derived from them (see `requestBound`).
 */
export const TEST_TIMEOUTS = {
  connectionTimeout: 1000,
  idleTimeout: 1500,
  requestTimeout: 3000,
  deadline: 5000,
} satisfies Partial<S3DriverOptions>

/**
 * The longest a request of the service may take with these timeouts: a PUT makes up to four S3 calls
 * in a row (start, parts, complete, tag and head with their retries), each bounded by the deadline;
 * the rest is slack for a loaded machine. Without timeouts, a half-open connection held a request
 * for minutes.
 */
export const REQUEST_BOUND = 8 * TEST_TIMEOUTS.deadline

/** A real Coffer (the HTTP service, SQLite index) whose S3 driver reaches Ceph RGW through a fault proxy. */
export interface CofferOnS3 {
  url: string
  admin: string
  app: App
  db: Kysely<Database>
  proxy: FaultProxy
  driver: S3Driver
  /** An S3 client straight to the server, past the proxy: the truth to verify against. */
  direct: S3Client
  /** The S3 bucket behind the service. */
  s3Bucket: string
  close(): Promise<void>
}

export async function startCofferOnS3(
  server: S3TestServer,
  seed: number,
  options: { uploadExpiry?: number; driver?: Partial<S3DriverOptions> } = {},
): Promise<CofferOnS3> {
  const proxy = await FaultProxy.start(server.endpoint, seed)
  const s3Bucket = `coffer-faults-${randomBytes(4).toString('hex')}`
  await createBucket(server, s3Bucket)
  const driver = s3Driver({
    bucket: s3Bucket,
    endpoint: proxy.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    partSize: 5 * 1024 * 1024,
    ...TEST_TIMEOUTS,
    ...options.driver,
  })
  const storage = createStorage({ driver })
  const dataDir = await mkdtemp(join(tmpdir(), 'coffer-faults-'))
  const db = await openDatabase({ dataDir })
  const admin = (await new ApiKeyStore(db).bootstrap(undefined)) as string
  const app = await createApp({
    storage,
    db,
    signingSecret: randomBytes(32).toString('hex'),
    ...(options.uploadExpiry === undefined ? {} : { uploadExpiry: options.uploadExpiry }),
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const direct = testClient(server)
  return {
    url,
    admin,
    app,
    db,
    proxy,
    driver,
    direct,
    s3Bucket,
    async close() {
      await app.close()
      await storage.close()
      await db.destroy()
      await proxy.close()
      direct.destroy()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

export const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** A request to the service, bounded by `REQUEST_BOUND`; `ms` is how long it took. */
export async function request(
  coffer: CofferOnS3,
  method: string,
  path: string,
  body?: Uint8Array | string,
): Promise<{ status: number; body: Buffer; headers: Headers; ms: number }> {
  const started = performance.now()
  try {
    const response = await fetch(coffer.url + path, {
      method,
      headers: {
        authorization: `Bearer ${coffer.admin}`,
        ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}),
      },
      ...(body === undefined ? {} : { body: body as BodyInit }),
      signal: AbortSignal.timeout(REQUEST_BOUND),
    })
    const bytes = Buffer.from(await response.arrayBuffer())
    return {
      status: response.status,
      body: bytes,
      headers: response.headers,
      ms: performance.now() - started,
    }
  } catch {
    // A response that never came or broke off: status 0, as a browser reports a network error.
    return { status: 0, body: Buffer.alloc(0), headers: new Headers(), ms: performance.now() - started }
  }
}

/** What the store holds under `<bucket>/`, read directly: key → sha256 of its bytes, its recorded sha256, size, etag. */
export async function storeContents(coffer: CofferOnS3, bucket: string) {
  const out = new Map<string, { sha256: string; recorded: string | undefined; size: number; etag: string }>()
  let token: string | undefined
  do {
    const page = await coffer.direct.send(
      new ListObjectsV2Command({
        Bucket: coffer.s3Bucket,
        Prefix: `${bucket}/`,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    )
    for (const object of page.Contents ?? []) {
      const Key = object.Key as string
      const got = await coffer.direct.send(new GetObjectCommand({ Bucket: coffer.s3Bucket, Key }))
      const bytes = await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()
      let recorded = got.Metadata?.['coffer-sha256']
      if (recorded === undefined) {
        const tags = await coffer.direct.send(new GetObjectTaggingCommand({ Bucket: coffer.s3Bucket, Key }))
        recorded = tags.TagSet?.find((tag) => tag.Key === 'coffer-sha256')?.Value
      }
      out.set(Key.slice(bucket.length + 1), {
        sha256: sha256Of(bytes),
        recorded,
        size: bytes.length,
        etag: got.ETag ?? '',
      })
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
  return out
}

/** Multipart uploads not completed nor aborted, read directly. */
export async function openUploads(coffer: CofferOnS3): Promise<string[]> {
  const page = await coffer.direct.send(new ListMultipartUploadsCommand({ Bucket: coffer.s3Bucket }))
  return (page.Uploads ?? []).map((upload) => upload.Key ?? '')
}

/** The index rows of a bucket: key → size, etag, sha256. */
export async function indexRows(coffer: CofferOnS3, bucket: string) {
  const rows = await coffer.db
    .selectFrom('objects')
    .select(['key', 'size', 'etag', 'sha256'])
    .where('bucket', '=', bucket)
    .execute()
  return new Map(rows.map((row) => [row.key, { size: Number(row.size), etag: row.etag, sha256: row.sha256 }]))
}
