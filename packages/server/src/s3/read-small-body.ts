import type { Readable } from 'node:stream'
import { bodyOf } from '../http/receive-object.ts'
import { openS3Body } from './open-s3-body.ts'
import { type S3Call, signedBy } from './s3-call.ts'
import { S3Error } from './s3-error.ts'
import { MAX_REQUEST_XML_BYTES } from './s3-requests.ts'

/** The signed body of a request, decoded and checked as it streams (see `openS3Body`). */
export function signedBody(call: S3Call, options: Parameters<typeof openS3Body>[3] = {}) {
  signedBy(call)
  const verified = call.verified
  if (verified === undefined) throw new S3Error('AccessDenied', 'Access Denied')
  const raw: Readable = bodyOf(call.request.raw, call.ctx.bodyLimits)
  try {
    return openS3Body(raw, call.request.headers, verified, options)
  } catch (error) {
    // Refused for its headers: nobody reads this body, so it goes now, before it can fail (the
    // client closing, the idle timeout) with no one listening.
    raw.destroy()
    throw error
  }
}

/**
 * The whole body of a request that carries a small document (DeleteObjects, CreateBucket), read
 * within `MAX_REQUEST_XML_BYTES` and checked against its signature and declared checksums first.
 */
export async function readSmallBody(
  call: S3Call,
  options: Parameters<typeof openS3Body>[3] = {},
): Promise<string> {
  const body = signedBody(call, options)
  if ((body.length ?? 0) > MAX_REQUEST_XML_BYTES) {
    body.stream.destroy()
    throw new S3Error('MalformedXML', `a request document has at most ${MAX_REQUEST_XML_BYTES} bytes`)
  }
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of body.stream) {
    total += (chunk as Buffer).length
    if (total > MAX_REQUEST_XML_BYTES) {
      body.stream.destroy()
      throw new S3Error('MalformedXML', `a request document has at most ${MAX_REQUEST_XML_BYTES} bytes`)
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
