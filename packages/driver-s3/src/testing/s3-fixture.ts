import { randomBytes } from 'node:crypto'
import { createStorage, type StorageService } from '@coffer/core'
import type { DriverFixture } from '@coffer/core/testing'
import { type S3Driver, s3Driver } from '../s3-driver.ts'
import type { S3DriverOptions } from '../s3-options.ts'
import { startCeph } from './ceph.ts'
import { createBucket, type S3TestServer } from './s3-test-server.ts'
import { startS3rver } from './s3rver.ts'

export type ServerName = 'ceph' | 's3rver'

/**
 * Starts a real S3 server for a test file. Outside CI a server that cannot start makes the caller
 * skip with a loud reason; with CI=true it fails the run, since nothing may be skipped there.
 */
export async function startServer(name: ServerName): Promise<S3TestServer | string> {
  try {
    return name === 'ceph' ? await startCeph() : await startS3rver()
  } catch (error) {
    if (process.env.CI === 'true') throw error
    const reason = `${name} could not start: ${(error as Error).message.split('\n')[0]}`
    console.warn(`SKIPPING the S3 driver suite on ${reason}`)
    return reason
  }
}

/** A driver on a fresh bucket of a running server. */
export async function driverOn(server: S3TestServer, options: Partial<S3DriverOptions> = {}) {
  const bucket = `coffer-${randomBytes(4).toString('hex')}`
  await createBucket(server, bucket)
  return s3Driver({
    bucket,
    endpoint: server.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    ...options,
  })
}

/**
 * A running server, a driver on a fresh bucket of it and a `StorageService` over that driver, or, when
 * the server cannot start outside CI, the reason to skip (see `startServer`). The caller closes the
 * storage and stops the server.
 */
export async function startStorage(
  name: ServerName,
  options: Partial<S3DriverOptions> = {},
): Promise<{ server: S3TestServer; driver: S3Driver; storage: StorageService } | string> {
  const server = await startServer(name)
  if (typeof server === 'string') return server
  const driver = await driverOn(server, options)
  return { server, driver, storage: createStorage({ driver }) }
}

/** The options a driver needs on a test server: s3rver keeps each object in a file named after its last segment plus a suffix. */
const limitsOf = (name: ServerName) => (name === 's3rver' ? { maxSegmentBytes: 200 } : {})

/** The fixture `testDriver` takes: one server and one bucket for the whole suite. */
export function s3Fixture(
  name: ServerName,
  options: Partial<S3DriverOptions> = {},
): () => Promise<DriverFixture> {
  return async () => {
    const server = await startServer(name)
    if (typeof server === 'string') throw new Error(server)
    return { driver: await driverOn(server, { ...limitsOf(name), ...options }), cleanup: () => server.stop() }
  }
}

/**
 * One server for several `testDriver` runs of a test file, each on a bucket of its own with its own
 * driver options: `fixture(options)` for each run, `stop()` once in the file's `afterAll`. A second
 * server would cost the machine as much again (a Ceph is three daemons).
 */
export function sharedS3Server(name: ServerName) {
  let server: Promise<S3TestServer> | undefined
  const started = () => {
    server ??= startServer(name).then((s) => {
      if (typeof s === 'string') throw new Error(s)
      return s
    })
    return server
  }
  return {
    fixture:
      (options: Partial<S3DriverOptions> = {}) =>
      async (): Promise<DriverFixture> => ({
        driver: await driverOn(await started(), { ...limitsOf(name), ...options }),
      }),
    async stop(): Promise<void> {
      await (await server?.catch(() => undefined))?.stop()
    },
  }
}
