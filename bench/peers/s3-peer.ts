import { spawnSync } from 'node:child_process'
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { startCeph } from '../../packages/driver-s3/src/testing/ceph.ts'
import {
  createBucket,
  type S3TestServer,
  testClient,
} from '../../packages/driver-s3/src/testing/s3-test-server.ts'
import { startS3rver } from '../../packages/driver-s3/src/testing/s3rver.ts'
import type { Peer } from './target.ts'

/** An S3 server peer: the test server itself, a bucket on it, and its requests presigned (SigV4). */
export interface S3Peer extends Peer {
  server: S3TestServer
  bucket: string
}

/**
 * Starts Ceph RGW (memstore) or s3rver with the test harness's own start functions and makes a
 * bucket; installs Ceph first with `scripts/install-ceph.sh` when it is missing. The load generators reach it with SigV4 presigned URLs made by the AWS SDK here, before the
 * load starts, so the server checks a signature on every request as it does for an SDK's.
 */
export async function startS3Peer(kind: 'ceph' | 's3rver'): Promise<S3Peer> {
  if (kind === 'ceph' && spawnSync('radosgw', ['--version']).status !== 0) {
    // A fresh machine: the Ceph daemons from Debian, as the S3 driver's tests need them too.
    const script = new URL('../../scripts/install-ceph.sh', import.meta.url).pathname
    spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] })
  }
  const server = kind === 'ceph' ? await startCeph() : await startS3rver()
  const bucket = 'bench'
  try {
    await createBucket(server, bucket)
  } catch (error) {
    await server.stop()
    throw error
  }
  const client = testClient(server)
  // A week: the longest SigV4 allows, so no URL expires during a long run.
  const expiresIn = 7 * 24 * 3600
  return {
    name: kind === 'ceph' ? 'Ceph RGW' : 's3rver',
    server,
    bucket,
    async get(key) {
      const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), {
        expiresIn,
      })
      return { url, headers: {} }
    },
    async put(key) {
      const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: key }), {
        expiresIn,
      })
      return { url, headers: {} }
    },
    async stop() {
      client.destroy()
      await server.stop()
    },
  }
}
