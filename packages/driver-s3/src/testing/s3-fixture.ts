import { randomBytes } from 'node:crypto'
import type { DriverFixture } from '@coffer/core/testing'
import { s3Driver } from '../s3-driver.ts'
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

/** The fixture `testDriver` takes: one server and one bucket for the whole suite. */
export function s3Fixture(name: ServerName): () => Promise<DriverFixture> {
  return async () => {
    const server = await startServer(name)
    if (typeof server === 'string') throw new Error(server)
    // s3rver keeps each object in a file named after its last segment plus a suffix.
    const limits = name === 's3rver' ? { maxSegmentBytes: 200 } : {}
    return { driver: await driverOn(server, limits), cleanup: () => server.stop() }
  }
}
