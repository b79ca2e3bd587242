import { createHash } from 'node:crypto'
import type { S3Client } from '@aws-sdk/client-s3'

/** Errors of a body that did not arrive as sent: its MD5, or the sha256 it was signed with, differ. */
const DAMAGED = new Set(['BadDigest', 'XAmzContentSHA256Mismatch'])

function header(headers: Record<string, string>, name: string): string | undefined {
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1]
}

/**
 * Makes the server check the bytes of every buffered part it receives: one byte flipped on the way
 * was otherwise stored and acknowledged under the client's sha256. By default a part carries its
 * sha256 in `x-amz-content-sha256`, which SigV4 signs and every S3 server verifies; it is computed by
 * WebCrypto in libuv's thread pool, not on the main thread, which already hashes every upload once
 * for the object's sha256 (hashing parts there cost large uploads a fifth of their speed). With
 * `signPayload: false` parts go as `UNSIGNED-PAYLOAD` and carry a `Content-MD5` instead (verified by
 * every S3 server too; Ceph RGW 16 ignores the newer `x-amz-checksum-*`). A part refused as damaged
 * (`BadDigest`, `XAmzContentSHA256Mismatch`) is marked retryable, so the SDK sends it again instead
 * of failing the upload. Streamed parts are left as the SDK sends them.
 */
export function checkParts(client: S3Client, signPayload: boolean | undefined): void {
  if (signPayload !== false) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const { headers, body } = args.request as { headers?: Record<string, string>; body?: unknown }
        if (
          context.commandName === 'UploadPartCommand' &&
          headers !== undefined &&
          body instanceof Uint8Array &&
          header(headers, 'x-amz-content-sha256') === undefined
        ) {
          const digest = await crypto.subtle.digest('SHA-256', body as Uint8Array<ArrayBuffer>)
          headers['x-amz-content-sha256'] = Buffer.from(digest).toString('hex')
        }
        return next(args)
      },
      // Added before `cofferUnsignedParts` (same step and priority), so it runs first: a part hashed
      // here is then signed with its hash instead of going unsigned.
      { step: 'build', name: 'cofferPartSha256', priority: 'high' },
    )
  }
  client.middlewareStack.add(
    (next, context) => (args) => {
      const { headers, body } = args.request as { headers?: Record<string, string>; body?: unknown }
      if (
        context.commandName === 'UploadPartCommand' &&
        headers !== undefined &&
        body instanceof Uint8Array &&
        header(headers, 'x-amz-content-sha256') === 'UNSIGNED-PAYLOAD' &&
        header(headers, 'content-md5') === undefined
      ) {
        headers['content-md5'] = createHash('md5').update(body).digest('base64')
      }
      return next(args)
    },
    { step: 'build', name: 'cofferContentMd5', priority: 'low' },
  )
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args)
      } catch (error) {
        const named = error as { name?: string; $retryable?: object }
        // The bytes were damaged on their way: sending them again is the fix.
        if (DAMAGED.has(named?.name ?? '')) named.$retryable = {}
        throw error
      }
    },
    { step: 'deserialize', name: 'cofferRetryDamaged', priority: 'high' },
  )
}
