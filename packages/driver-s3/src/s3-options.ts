import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import { NodeHttpHandler } from '@smithy/node-http-handler'

export interface S3DriverOptions {
  /** The bucket that holds Coffer's objects. */
  bucket: string
  /** AWS region; default `us-east-1`. */
  region?: string
  /** An S3-compatible endpoint (MinIO, Ceph RGW, R2, …); absent for AWS itself. */
  endpoint?: string
  /** Path-style addressing (`endpoint/bucket/key`); default true when `endpoint` is set. */
  forcePathStyle?: boolean
  /** Static credentials; absent: the SDK's default chain (environment, profiles, instance roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  /** Also set `public-read`/`private` ACLs. Only for buckets that allow ACLs; default false. */
  acl?: boolean
  /**
   * The server supports `If-None-Match: *` on PutObject (AWS since 2024). Default: true for AWS,
   * false for other endpoints; when false, create-only writes are checked, then written.
   */
  conditionalWrites?: boolean
  /** Size of multipart parts and the largest body sent in one PutObject; default 8 MiB (min 5 MiB). */
  partSize?: number
  /** Parts uploaded in parallel per upload; default 4 (memory: about partSize × (queueSize + 1)). */
  queueSize?: number
  /** Attempts per request, the first included; default 3. */
  maxAttempts?: number
  /** Milliseconds to establish a connection; default 5000. */
  connectionTimeout?: number
  /** Milliseconds a socket may stay idle during a request; default 60000. */
  requestTimeout?: number
  /**
   * Longest key segment the server can store, in bytes: file-system backed servers (s3rver, MinIO
   * in fs mode) limit names to 255 bytes. Default: none (S3 has no such limit).
   */
  maxSegmentBytes?: number
  /** Sockets kept per host; default 64. */
  maxSockets?: number
}

export const MiB = 1024 * 1024

/** An S3 client for Coffer: keep-alive sockets, bounded pool, timeouts, and S3-compatible settings. */
export function createClient(options: S3DriverOptions): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 }
  const config: S3ClientConfig = {
    region: options.region ?? 'us-east-1',
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectionTimeout ?? 5000,
      requestTimeout: options.requestTimeout ?? 60_000,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
  }
  if (options.credentials) config.credentials = options.credentials
  if (options.endpoint !== undefined) {
    config.endpoint = options.endpoint
    config.forcePathStyle = options.forcePathStyle ?? true
    // Recent SDKs send CRC checksums and aws-chunked bodies by default, which most S3-compatible
    // servers reject; only send them where an operation requires a checksum.
    config.requestChecksumCalculation = 'WHEN_REQUIRED'
    config.responseChecksumValidation = 'WHEN_REQUIRED'
  } else if (options.forcePathStyle !== undefined) {
    config.forcePathStyle = options.forcePathStyle
  }
  return new S3Client(config)
}
