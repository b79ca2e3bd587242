import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'

/** A real S3 server started for the tests, reachable on 127.0.0.1, and how to reach it. */
export interface S3TestServer {
  name: 'ceph' | 's3rver'
  /** Base URL, e.g. `http://127.0.0.1:7480`; use path-style addressing. */
  endpoint: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  /** False for s3rver, which accepts any signature: auth failures can't be tested there. */
  verifiesSignatures: boolean
  /** Kills the server's processes and removes its data directory. Safe to call twice. */
  stop(): Promise<void>
}

/**
 * An S3 client configured for an S3-compatible test server. Path-style because the servers
 * have no wildcard DNS; checksums only when required because neither server implements the
 * newer flexible checksums the SDK sends by default.
 */
export function testClient(server: S3TestServer, secretAccessKey = server.secretAccessKey): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
}

/** Creates `bucket` on `server` (fails if it exists and is owned by someone else). */
export async function createBucket(server: S3TestServer, bucket: string): Promise<void> {
  const client = testClient(server)
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }))
  } finally {
    client.destroy()
  }
}
