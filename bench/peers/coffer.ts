import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdtempSync, openSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import type { S3TestServer } from '../../packages/driver-s3/src/testing/s3-test-server.ts'
import { START_FLAGS } from '../../packages/server/src/service/heap-tuning.ts'
import { freePort, stopperOf, waitForHttp } from './processes.ts'
import type { Peer, Target } from './target.ts'

/** The repository's build of the service (`npm run build`). */
export const DEFAULT_MAIN = new URL('../../packages/server/dist/main.js', import.meta.url).pathname
/** The Coffer bucket every case uses. */
export const BUCKET = 'bench'

export interface CofferOptions {
  /** fs (a temp data dir) or s3 (an S3 server and a bucket of its own). */
  driver: 'fs' | 's3'
  s3?: { server: S3TestServer; bucket: string }
  /** Write a V8 CPU profile of the service into this directory when it stops. */
  cpuProfDir?: string
  /** The service's entry point; default this repository's `packages/server/dist/main.js`. */
  main?: string
  /** As the tables show it; default `Coffer/fs` or `Coffer/S3→Ceph`. */
  name?: string
  /** V8/Node flags after the service's own start flags (experiments with the heap, say). */
  nodeFlags?: string[]
  /** More environment for the service (experiments). */
  env?: Record<string, string>
}

/** The S3 driver's environment for a test server. */
function s3Env(s3: CofferOptions['s3']): Record<string, string> {
  if (!s3) throw new Error('COFFER_DRIVER=s3 needs an S3 server')
  return {
    AWS_S3_BUCKET: s3.bucket,
    AWS_REGION: s3.server.region,
    AWS_ACCESS_KEY_ID: s3.server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.server.secretAccessKey,
    COFFER_S3_ENDPOINT: s3.server.endpoint,
  }
}

async function call(url: string, token: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${await res.text()}`)
  return res.json()
}

/**
 * Starts the built service (`npm run build`) as a user runs it, on a free port with default logging
 * (to /dev/null), auth on; creates the bucket `bench` and an API key scoped to it (read, write,
 * delete) with the operator's admin key, and sends every request with that scoped key.
 */
export async function startCoffer(opts: CofferOptions): Promise<Peer & { pid: number; s3Api: Target }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'coffer-bench-data-'))
  const adminKey = `bench-admin-${randomBytes(24).toString('hex')}`
  const port = await freePort()
  const contentPort = await freePort()
  const s3Port = await freePort()
  const flags = opts.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`]
  const devNull = openSync('/dev/null', 'w')
  const child = spawn(
    process.execPath,
    [...START_FLAGS, ...(opts.nodeFlags ?? []), ...flags, opts.main ?? DEFAULT_MAIN],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? dataDir,
        PORT: String(port),
        COFFER_CONTENT_PORT: String(contentPort),
        COFFER_S3_PORT: String(s3Port),
        HOST: '127.0.0.1',
        COFFER_DATA_DIR: dataDir,
        COFFER_ADMIN_KEY: adminKey,
        COFFER_DRIVER: opts.driver,
        ...(opts.driver === 's3' ? s3Env(opts.s3) : {}),
        ...opts.env,
      },
      stdio: ['ignore', devNull, 'pipe'],
    },
  )
  closeSync(devNull)
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  // SIGTERM: a graceful stop, so that --cpu-prof writes its profile.
  const stop = stopperOf(child, dataDir, 30_000)
  const origin = `http://127.0.0.1:${port}`
  try {
    // A minute: on a machine shared with other work, a start can take far longer than usual.
    await waitForHttp(`${origin}/healthz`, child, 60_000)
    await call(`${origin}/v1/buckets`, adminKey, { name: BUCKET })
    const scopes = [{ bucket: BUCKET, prefix: '', permissions: ['read', 'write', 'delete'] }]
    const { token, s3 } = (await call(`${origin}/v1/keys`, adminKey, {
      name: 'bench',
      scopes,
      s3: true,
    })) as {
      token: string
      s3: { accessKeyId: string; secretAccessKey: string }
    }
    const spec = async (key: string) => ({
      url: `${origin}/v1/buckets/${BUCKET}/objects/${key}`,
      headers: { authorization: `Bearer ${token}` },
    })
    const name = opts.name ?? (opts.driver === 'fs' ? 'Coffer/fs' : 'Coffer/S3→Ceph')
    const s3Api = s3Target(`${name} S3 API`, `http://127.0.0.1:${s3Port}`, s3)
    return {
      name,
      pid: child.pid as number,
      get: spec,
      put: spec,
      stop: async () => {
        s3Api.client.destroy()
        await stop()
      },
      s3Api,
    }
  } catch (error) {
    await stop()
    throw new Error(`Coffer (${opts.driver}) did not start: ${(error as Error).message}\n${stderr}`)
  }
}

/**
 * The same service reached through its S3 endpoint, with the same scoped key's S3 credentials:
 * requests presigned (SigV4, query) before the load starts, as for the S3 servers, so the endpoint
 * checks a signature on every request.
 */
function s3Target(
  name: string,
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Target & { client: S3Client } {
  const client = new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true })
  // A week: the longest SigV4 allows, so no URL expires during a long run.
  const expiresIn = 7 * 24 * 3600
  return {
    name,
    client,
    async get(key) {
      const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: key }), {
        expiresIn,
      })
      return { url, headers: {} }
    },
    async put(key) {
      const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: BUCKET, Key: key }), {
        expiresIn,
      })
      return { url, headers: {} }
    },
  }
}
