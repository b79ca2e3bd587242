import { createHash } from 'node:crypto'
import { getSigningKey } from '@smithy/signature-v4'
import { ChunkSignatureChain } from '../../src/s3/chunk-signature-chain.ts'
import { NodeSha256 } from '../../src/s3/sigv4-crypto.ts'
import type { ChunkSigning } from '../../src/s3/sigv4-verifier.ts'

/** The example credentials of the S3 API reference. */
export const EXAMPLE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
}

/** The signing context of the reference's chunked-upload example (20130524, us-east-1). */
export async function exampleSigning(seedSignature: string): Promise<ChunkSigning> {
  const signingKey = await getSigningKey(NodeSha256, EXAMPLE, '20130524', 'us-east-1', 's3')
  return {
    signingKey,
    longDate: '20130524T000000Z',
    scope: '20130524/us-east-1/s3/aws4_request',
    seedSignature,
  }
}

/** How to encode a body as `aws-chunked`, as minio-go (signed) and the AWS SDKs (trailer) do. */
export interface EncodeOptions {
  /** Sizes of the data chunks, repeated until the data is used up. */
  chunkSizes: readonly number[]
  signing?: ChunkSigning
  /** Trailing headers; undefined sends none (no trailer section at all). */
  trailers?: ReadonlyMap<string, string>
}

/** Encodes `data` as an `aws-chunked` body: the sender's side of what the decoder reads. */
export function encodeAwsChunked(data: Buffer, options: EncodeOptions): Buffer {
  const chain = options.signing === undefined ? undefined : new ChunkSignatureChain(options.signing)
  const parts: Buffer[] = []
  const header = (chunk: Buffer) => {
    const size = chunk.length.toString(16)
    if (chain === undefined) return `${size}\r\n`
    return `${size};chunk-signature=${chain.next(createHash('sha256').update(chunk).digest('hex'))}\r\n`
  }
  let offset = 0
  for (let i = 0; offset < data.length; i += 1) {
    const size = Math.max(1, options.chunkSizes[i % options.chunkSizes.length] ?? 1)
    const chunk = data.subarray(offset, offset + size)
    parts.push(Buffer.from(header(chunk)), chunk, Buffer.from('\r\n'))
    offset += chunk.length
  }
  parts.push(Buffer.from(header(Buffer.alloc(0))))
  if (options.trailers !== undefined) {
    for (const [name, value] of options.trailers) parts.push(Buffer.from(`${name}:${value}\r\n`))
    if (chain !== undefined)
      parts.push(Buffer.from(`x-amz-trailer-signature:${chain.trailer(options.trailers)}\r\n`))
  }
  parts.push(Buffer.from('\r\n'))
  return Buffer.concat(parts)
}
