import { createHash } from 'node:crypto'
import type { S3Client } from '@aws-sdk/client-s3'

/** Errors of a body that did not arrive as sent: its MD5, or the sha256 it was signed with, differ. */
const DAMAGED = new Set(['BadDigest', 'XAmzContentSHA256Mismatch'])

/** Commands whose buffered bodies get a `Content-MD5`. */
const CHECKED = new Set(['UploadPartCommand', 'PutObjectCommand'])

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name)
}

/**
 * Makes the server check the bytes it received. Every buffered part (and one-shot PutObject body)
 * gets a `Content-MD5` unless it has one: parts may go as `UNSIGNED-PAYLOAD` (see `signPayload`), and
 * one byte flipped on the way was otherwise stored and acknowledged. Every S3 server verifies
 * `Content-MD5` (Ceph RGW 16 ignores the newer `x-amz-checksum-*` headers); the MD5 of an 8 MiB part
 * costs ~15 ms. A part refused with `BadDigest` is marked retryable, so the SDK sends it again instead
 * of failing the upload (as is a signed body refused with `XAmzContentSHA256Mismatch`).
 */
export function checkBodies(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown }
      const { headers, body } = request
      if (
        CHECKED.has(context.commandName ?? '') &&
        headers !== undefined &&
        body instanceof Uint8Array &&
        !hasHeader(headers, 'content-md5')
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
    { step: 'deserialize', name: 'cofferRetryBadDigest', priority: 'high' },
  )
}
