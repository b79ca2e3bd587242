import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import { withDeadline } from './s3-deadline.ts'
import { checkParts } from './s3-integrity.ts'

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
  /**
   * How the driver's multipart API (resumable uploads, the S3 endpoint's multipart) is kept.
   * `'native'` (default): the server's own multipart uploads, so objects past 5 GiB pass through.
   * `'staged'`: for servers whose multipart is unusable (s3rver 3.7.1 answers 405 to ListParts and
   * AbortMultipartUpload, and does not check completions); each part is an object of its own under a
   * prefix no key can name, checked at completion as S3 does, then joined in one streamed PutObject
   * (objects up to 5 GiB; the multipart etag kept in the metadata). The native path answers
   * `Unavailable` naming this option when the server lacks an operation it needs.
   */
  multipart?: MultipartStrategy
  /** Size of multipart parts and the largest body sent in one PutObject; default 8 MiB (min 5 MiB). */
  partSize?: number
  /** Parts uploaded in parallel per upload; default 4 (memory: about partSize × (queueSize + 1)). */
  queueSize?: number
  /** Attempts per request, the first included; default 3. */
  maxAttempts?: number
  /** Milliseconds to establish a connection; default 5000. */
  connectionTimeout?: number
  /**
   * Milliseconds a socket may stay silent while a request or its response body is in flight (a
   * half-open connection, a server that stopped answering); default 30000. The attempt then fails
   * and is retried.
   */
  idleTimeout?: number
  /** Milliseconds one attempt may take until the response's headers arrive; default 60000. */
  requestTimeout?: number
  /**
   * Milliseconds one S3 call may take until its answer, all its attempts and their back-off included;
   * default 120000. A call past it fails with `Unavailable` (retryable: the server answers 503).
   * Response bodies are bounded by `idleTimeout` instead: a large download may take long.
   */
  deadline?: number
  /**
   * Longest key segment the server can store, in bytes: file-system backed servers (s3rver, MinIO
   * in fs mode) limit names to 255 bytes. Default: none (S3 has no such limit).
   */
  maxSegmentBytes?: number
  /** Sockets kept per host; default 64. */
  maxSockets?: number
  /**
   * Sign the bytes of multipart parts. Default: buffered parts carry their sha256 (computed in the
   * thread pool), which the signature covers and the server verifies; streamed parts go unsigned
   * except over plain HTTP to another host (see `signsPartsTo`). `true`: every part signed, the SDK
   * hashing streamed ones. `false`: parts go as `UNSIGNED-PAYLOAD` with a `Content-MD5`, which the
   * server verifies too (hashed on the main thread). Every request stays signed either way.
   */
  signPayload?: boolean
}

/** See `S3DriverOptions.multipart`. */
export type MultipartStrategy = 'native' | 'staged'

export const MiB = 1024 * 1024
/** `S3DriverOptions.deadline`'s default. */
export const DEFAULT_DEADLINE = 120_000

/** Whether a host name is this host: a loopback address or `localhost`. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

/**
 * Whether a part sent to `protocol` (`https:`, `http:`, …) and `hostname` has its sha256 signed (see
 * `S3DriverOptions.signPayload`): unless `signPayload` says, only when it goes over anything but
 * HTTPS to another host.
 */
export function signsPartsTo(protocol: string, hostname: string, signPayload?: boolean): boolean {
  if (signPayload !== undefined) return signPayload
  return protocol !== 'https:' && !isLoopback(hostname)
}

/** The headers that say the SDK already chose how to send a body: its hash, or aws-chunked with a trailer. */
function bodyChosen(headers: Record<string, string>): boolean {
  return Object.entries(headers).some(
    ([name, value]) =>
      name.toLowerCase() === 'x-amz-content-sha256' ||
      (name.toLowerCase() === 'content-encoding' && value.includes('aws-chunked')),
  )
}

/**
 * Sends the bodies of UploadPart requests that `checkParts` did not hash as `UNSIGNED-PAYLOAD` where
 * `signsPartsTo` allows: the SDK's signer takes a payload hash already in the request instead of
 * hashing the part. The part's bytes would otherwise be hashed a second time on the service's main
 * thread (the service hashes every upload once, for the object's sha256), which showed as a lower
 * throughput than the SDK's own (`npm run bench -- --only P5`). A later middleware (the
 * SDK's checksums, which stream a body aws-chunked with a trailer) may still choose otherwise.
 */
function sendPartsUnsigned(client: S3Client, signPayload: boolean | undefined): void {
  client.middlewareStack.add(
    (next, context) => (args) => {
      const request = args.request as {
        protocol?: string
        hostname?: string
        headers?: Record<string, string>
      }
      const { protocol, hostname, headers } = request
      if (
        context.commandName === 'UploadPartCommand' &&
        headers !== undefined &&
        typeof protocol === 'string' &&
        typeof hostname === 'string' &&
        !bodyChosen(headers) &&
        !signsPartsTo(protocol, hostname, signPayload)
      ) {
        headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD'
      }
      return next(args)
    },
    { step: 'build', name: 'cofferUnsignedParts', priority: 'high' },
  )
}

/** An S3 client for Coffer: keep-alive sockets, bounded pool, timeouts, and S3-compatible settings. */
export function createClient(options: S3DriverOptions): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 }
  const config: S3ClientConfig = {
    region: options.region ?? 'us-east-1',
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectionTimeout ?? 5000,
      requestTimeout: options.requestTimeout ?? 60_000,
      // Without it, @smithy/node-http-handler 4.x only logs a warning past `requestTimeout`.
      throwOnRequestTimeout: true,
      socketTimeout: options.idleTimeout ?? 30_000,
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
  const client = new S3Client(config)
  checkParts(client, options.signPayload)
  if (options.signPayload !== true) sendPartsUnsigned(client, options.signPayload)
  withDeadline(client, options.deadline ?? DEFAULT_DEADLINE)
  return client
}
